"""Which structure model matches the planning system: rtviewer beside Eclipse's own DVHs.

Usage: ``.venv/bin/python benchmarks/eclipse_dvh.py [DATA_ROOT]`` (default
``$RTVIEWER_TEST_DATA``, else ``../shared/data``).

``dicompyler-core/rtdose.dcm`` embeds the cumulative DVHs Eclipse computed for its
structures (0.01 Gy bins, cc).  For every structure with such a DVH this prints, as a
Markdown table, Eclipse's volume, Dmean, D98, Dmin and Dmax -- read from its curve,
since the file's DVH Minimum/Mean/Maximum Dose are in % of the prescription although
the Dose Units say GY -- and rtviewer's under each structure model (``slab``,
``none``, ``smooth``), with the difference in %.  The table goes into ``docs/DVH.md``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

from rtviewer.core.dvh import Dvh, compute_dvh
from rtviewer.core.dvh_metrics import dose_at_volume_percent
from rtviewer.core.structure_model import MODEL_NAMES, build_structure_model

CASE = "dicompyler-core"


def default_root() -> Path:
    configured = os.environ.get("RTVIEWER_TEST_DATA")
    if configured:
        return Path(configured).resolve()
    return (Path(__file__).resolve().parents[1] / ".." / "shared" / "data").resolve()


def eclipse_dvh(embedded) -> Dvh:  # noqa: ANN001 - model.dose.EmbeddedDvh
    """Eclipse's cumulative curve as a :class:`Dvh` (its bins, its extremes)."""
    cumulative = np.asarray(embedded.volumes, dtype=np.float64)
    width = float(embedded.dose_bin_widths[0])
    differential = -np.diff(np.append(cumulative, 0.0))
    occupied = np.flatnonzero(differential > 1e-9 * max(cumulative[0], 1e-12))
    lower = embedded.bin_lower_edges
    mean = float(np.sum((lower + width / 2) * differential) / cumulative[0])
    return Dvh(bin_gy=width, differential_cc=differential, volume_cc=float(cumulative[0]),
               dmin_gy=float(lower[occupied[0]]), dmax_gy=float(lower[occupied[-1]] + width),
               dmean_gy=mean)


def _metrics(dvh: Dvh) -> tuple[float, float, float, float, float]:
    return (dvh.volume_cc, dvh.dmean_gy, dose_at_volume_percent(dvh, 98.0), dvh.dmin_gy,
            dvh.dmax_gy)


def _cell(value: float, reference: float | None) -> str:
    if reference is None or not reference:
        return f"{value:.4g}"
    return f"{value:.4g} ({100 * (value / reference - 1):+.1f} %)"


def table(root: Path) -> str:
    """The Markdown table (one Eclipse row and one row per model for each structure)."""
    from rtviewer.dicom.dose import read_dose
    from rtviewer.dicom.structure import read_structure_set

    folder = root / CASE
    dose = read_dose(folder / "rtdose.dcm")
    rois = {r.roi_number: r for r in read_structure_set(folder / "rtss.dcm").rois}
    lines = ["| Structure | Planes | Source | Volume cc | Dmean Gy | D98 Gy | Dmin Gy | Dmax Gy |",
             "|---|---|---|---|---|---|---|---|"]
    for embedded in dose.dvhs:
        roi = rois.get(embedded.referenced_roi_numbers[0]) if embedded.referenced_roi_numbers \
            else None
        if roi is None or embedded.volume_units != "CM3" or not roi.closed_polygons_mm():
            continue
        polygons = roi.closed_polygons_mm()
        slab = build_structure_model(polygons)
        planes = len(slab.planes) if slab is not None else 0
        theirs = _metrics(eclipse_dvh(embedded))
        lines.append(f"| {roi.name} | {planes} | Eclipse | "
                     + " | ".join(f"{v:.4g}" for v in theirs) + " |")
        for model in MODEL_NAMES:
            ours = _metrics(compute_dvh(polygons, dose.dose_gy, dose.grid, model=model))
            lines.append(f"| | | rtviewer `{model}` | "
                         + " | ".join(_cell(o, t) for o, t in zip(ours, theirs, strict=True))
                         + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", type=Path, default=None)
    args = parser.parse_args(argv)
    root = args.root or default_root()
    needed = [root / CASE / "rtdose.dcm", root / CASE / "rtss.dcm"]
    lacking = [str(p) for p in needed if not p.is_file()]
    if lacking:
        print("eclipse_dvh: missing " + ", ".join(lacking)
              + " (set RTVIEWER_TEST_DATA or pass DATA_ROOT)", file=sys.stderr)
        return 2
    start = time.perf_counter()
    print(table(root))
    print(f"\n(differences in % of Eclipse's value; {time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
