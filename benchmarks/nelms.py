"""Nelms et al. 2015 analytical DVH benchmark: the full table and the pass rates.

Usage: ``.venv/bin/python benchmarks/nelms.py [DATA_ROOT] [--model slab|none|smooth|all]``
(data root default ``$RTVIEWER_TEST_DATA``, else ``../shared/data``, as the tests; models
default ``all``: the full table of each model, then a summary line per model).

For each of the 54 rows of ``ANALYTICAL/analytical_points.csv`` whose dose grid is
present, compute the DVH of the structure with ``rtviewer.core`` and compare Volume,
Dmin, Dmax, Dmean, D99, D95, D5, D1 and D0.03cc with the analytical values (pass:
within 3 %), and the whole cumulative curve every 10 cGy against the tabulated
analytical DVH (pass: within 3 % of the structure volume everywhere).
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rtviewer.core.dvh import Dvh, compute_dvh
from rtviewer.core.dvh_metrics import dose_at_volume_cc, dose_at_volume_percent
from rtviewer.core.grid import Grid

METRICS = ("volume_cc", "Dmin_cGy", "Dmax_cGy", "Dmean_cGy", "D99_cGy", "D95_cGy", "D5_cGy",
           "D1_cGy", "D0.03cc_cGy")
TOLERANCE = 0.03


@dataclass
class CaseResult:
    structure: str
    dose_file: str
    gradient: str
    truth: dict[str, float]
    ours: dict[str, float]
    curve_max_error_pct: float
    seconds: float

    def passes(self, metric: str) -> bool:
        t, o = self.truth[metric], self.ours[metric]
        return bool(np.isfinite(o) and abs(o - t) <= TOLERANCE * abs(t))


def default_root() -> Path:
    """``$RTVIEWER_TEST_DATA`` like the tests, else ``../shared/data`` beside the checkout."""
    configured = os.environ.get("RTVIEWER_TEST_DATA")
    if configured:
        return Path(configured).resolve()
    return (Path(__file__).resolve().parents[1] / ".." / "shared" / "data").resolve()


def missing(root: Path) -> list[str]:
    """What the benchmark needs under ``root`` and does not find (empty when complete)."""
    nelms = root / "nelms-dvh-analytical" if (root / "nelms-dvh-analytical").is_dir() else root
    needed = [nelms / "ANALYTICAL" / "analytical_points.csv", nelms / "STRUCTURES",
              nelms / "DOSE_GRIDS"] + [nelms / "ANALYTICAL" / f"tabulated_dvh_{s}.csv"
                                       for s in ("Sphere", "Cylinder", "Cone")]
    return [str(p) for p in needed if not p.exists()]


def _read_structure(path: Path) -> list[np.ndarray]:
    """The CLOSED_PLANAR contours of the file's contoured ROI (readers if available)."""
    try:
        from rtviewer.dicom.structure import read_structure_set
    except ImportError:
        read_structure_set = None
    if read_structure_set is not None:
        rois = [r for r in read_structure_set(path).rois if r.closed_polygons_mm()]
        return rois[0].closed_polygons_mm()
    import pydicom

    ds = pydicom.dcmread(path, force=True)
    polygons = []
    for roi in ds.ROIContourSequence:
        for contour in getattr(roi, "ContourSequence", []):
            if contour.ContourGeometricType == "CLOSED_PLANAR":
                polygons.append(np.asarray(contour.ContourData, float).reshape(-1, 3))
    return polygons


def _read_dose(path: Path) -> tuple[np.ndarray, Grid]:
    try:
        from rtviewer.dicom.dose import read_dose
    except ImportError:
        read_dose = None
    if read_dose is not None:
        dose = read_dose(path)
        return dose.dose_gy, dose.grid
    import pydicom

    ds = pydicom.dcmread(path, force=True)
    orientation = np.asarray(ds.ImageOrientationPatient, float)
    normal = np.cross(orientation[:3], orientation[3:])
    offsets = np.asarray(ds.GridFrameOffsetVector, float)
    grid = Grid.from_dicom_geometry(
        image_position_mm=ds.ImagePositionPatient, image_orientation=orientation,
        pixel_spacing_mm=ds.PixelSpacing, slice_step_mm=normal * (offsets[1] - offsets[0]),
        shape=(len(offsets), ds.Rows, ds.Columns))
    dose = ds.pixel_array.astype(np.float32) * np.float32(ds.DoseGridScaling)
    return dose.reshape(grid.shape), grid


def _truth_rows(root: Path) -> list[dict[str, str]]:
    with open(root / "ANALYTICAL" / "analytical_points.csv", newline="") as f:
        return [r for r in csv.DictReader(f) if r["dose_voxel_mm"] in ("1", "2", "3")]


def _truth_curves(root: Path) -> dict[str, dict[str, np.ndarray]]:
    curves = {}
    for shape in ("Sphere", "Cylinder", "Cone"):
        with open(root / "ANALYTICAL" / f"tabulated_dvh_{shape}.csv", newline="") as f:
            rows = list(csv.reader(f))
        header = rows[0]  # empty cells past a curve's end mean no volume
        data = np.array([[float(c) if c else 0.0 for c in r] for r in rows[1:]])
        curves[shape] = {name: data[:, i] for i, name in enumerate(header)}
    return curves


def _our_metrics(dvh: Dvh) -> dict[str, float]:
    return {"volume_cc": dvh.volume_cc, "Dmin_cGy": 100 * dvh.dmin_gy,
            "Dmax_cGy": 100 * dvh.dmax_gy, "Dmean_cGy": 100 * dvh.dmean_gy,
            "D99_cGy": 100 * dose_at_volume_percent(dvh, 99),
            "D95_cGy": 100 * dose_at_volume_percent(dvh, 95),
            "D5_cGy": 100 * dose_at_volume_percent(dvh, 5),
            "D1_cGy": 100 * dose_at_volume_percent(dvh, 1),
            "D0.03cc_cGy": 100 * dose_at_volume_cc(dvh, 0.03)}


def _curve_error_pct(dvh: Dvh, row: dict[str, str], curves) -> float:
    shape = row["structure"].split("_")[0]
    gradient = "SI" if "SI" in row["gradient"] else "AP"
    spacing = row["ct_slice_spacing_mm"].removesuffix("mm")
    truth = curves[shape]
    dose_cgy = truth["dose_cGy"]
    volume = truth[f"{gradient}_{spacing}_mm"]
    every_10 = np.isclose(np.mod(dose_cgy, 10.0), 0.0)
    ours = dvh.cumulative_at(dose_cgy[every_10] / 100.0)
    return float(np.max(np.abs(ours - volume[every_10])) / float(row["volume_cc"]) * 100)


def run(root: Path, model: str = "slab") -> list[CaseResult]:
    nelms = root / "nelms-dvh-analytical" if (root / "nelms-dvh-analytical").is_dir() else root
    curves = _truth_curves(nelms)
    results, doses = [], {}
    for row in _truth_rows(nelms):
        gradient = "AntPost" if "AP" in row["gradient"] else "SupInf"
        dose_file = f"Linear_{gradient}_{row['dose_voxel_mm']}mm_Aligned.dcm"
        if dose_file not in doses:
            doses[dose_file] = _read_dose(nelms / "DOSE_GRIDS" / dose_file)
        dose, grid = doses[dose_file]
        polygons = _read_structure(nelms / "STRUCTURES" / f"{row['structure']}.dcm")
        start = time.perf_counter()
        dvh = compute_dvh(polygons, dose, grid, model=model)
        seconds = time.perf_counter() - start
        truth = {m: float(row[m]) for m in METRICS}
        results.append(CaseResult(row["structure"], dose_file, row["gradient"], truth,
                                  _our_metrics(dvh), _curve_error_pct(dvh, row, curves), seconds))
    return results


def report(results: list[CaseResult]) -> tuple[float, bool]:
    names = [m[:-4] if m.endswith("_cGy") else "Vol" for m in METRICS]
    header = f"{'structure':20s} {'grid':26s} " + " ".join(f"{n:>14s}" for n in names)
    print(header + "  curve%    s")
    checks = passed = 0
    for r in results:
        cells = []
        for m in METRICS:
            ok = r.passes(m)
            checks += 1
            passed += ok
            err = (r.ours[m] - r.truth[m]) / r.truth[m] * 100
            cells.append(f"{r.ours[m]:8.5g}{err:+5.1f}{' ' if ok else '*'}")
        print(f"{r.structure:20s} {r.dose_file[7:-12]:26s} " + " ".join(cells)
              + f" {r.curve_max_error_pct:6.2f} {r.seconds:5.2f}")
    share = passed / checks
    curves_ok = all(r.curve_max_error_pct <= 3.0 for r in results)
    print(f"\n{len(results)} cases, {checks} checks: {passed} within 3 % = {100 * share:.1f} %"
          f"  (* marks a failure; value then signed error in %)")
    worst = max(r.curve_max_error_pct for r in results)
    print(f"cumulative curve every 10 cGy within 3 % of volume in every case: {curves_ok} "
          f"(worst {worst:.2f} %)")
    for m in METRICS:
        fails = sum(not r.passes(m) for r in results)
        print(f"  {m:12s} failures: {fails}")
    print(f"total DVH time {sum(r.seconds for r in results):.2f} s")
    return share, curves_ok


def main(argv: list[str] | None = None) -> int:
    from rtviewer.core.structure_model import MODEL_NAMES

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", type=Path, default=None)
    parser.add_argument("--model", choices=(*MODEL_NAMES, "all"), default="all")
    args = parser.parse_args(argv)
    root = args.root or default_root()
    lacking = missing(root)
    if lacking:
        print(f"nelms: the Nelms benchmark data is not complete under {root} (set "
              "RTVIEWER_TEST_DATA or pass DATA_ROOT); missing:\n  " + "\n  ".join(lacking),
              file=sys.stderr)
        return 2
    models = MODEL_NAMES if args.model == "all" else (args.model,)
    summary = []
    for model in models:
        print(f"\n=== structure model: {model} ===")
        results = run(root, model)
        share, curves_ok = report(results)
        worst = max(r.curve_max_error_pct for r in results)
        summary.append(f"{model:7s} {100 * share:5.1f} % of checks within 3 %, curves within "
                       f"3 %: {curves_ok} (worst {worst:.2f} %)")
    print("\n" + "\n".join(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
