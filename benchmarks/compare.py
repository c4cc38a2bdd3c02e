"""Plan comparison speed: two doses, their difference, 30 DVHs each, and a 3-D gamma.

Usage: ``.venv/bin/python benchmarks/compare.py [--shape 150 200 200] [--step-mm 2]
[--structures 30] [--no-gamma] [--no-demo] [--check-slices 1]``

Builds, in memory, an analytic case: dose A on a ``(k, j, i)`` grid (default
200×200×150 voxels at 2 mm), a sum of Gaussian fields; dose B = A shifted 1 mm along x
and scaled by 1.01, on a grid offset by half a voxel (so B is resampled); 30 spheres
and cuboids as contour stacks.  Times, in the same run:

* the difference B − A on A's grid (resampling included);
* the DVHs of the 30 structures under A and under B (``rtviewer.core.dvh``);
* gamma 3 %/3 mm, global, 10 % cut-off (``rtviewer.core.gamma``: pymedphys, SciPy
  interpolation), once stopping each voxel's search when it passes (what ``rtviewer
  compare`` does: exact pass rates) and once as a full gamma map;
* the demo's 3DCRT replan (beam 6 turned 30° → 50°) against its 3DCRT plan, written to
  a temporary folder: doses that really differ (a quarter of the voxels fail), gamma
  3 %/3 mm pass / fail as ``rtviewer compare`` and the window run it, with its slabs;
* on a slice of that pair (``--check-slices``), the pass rate against pymedphys's plain
  search of the whole block to gamma 2, without the bound, the DTA limit or slabs (the
  reference computation: the verdicts must agree voxel for voxel);
* a fixed numpy baseline (sort of 2 M floats), to put the numbers in proportion to this
  machine's speed and load at the time of the run.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from rtviewer.core.dvh import compute_dvh
from rtviewer.core.gamma import GammaCriteria, axis_coordinates, gamma_index
from rtviewer.core.grid import Grid
from rtviewer.core.interpolation import resample_to_grid
from rtviewer.core.structure_model import build_structure_model


def _grid(shape, step_mm, offset_mm=0.0):
    nk, nj, ni = shape
    affine = np.diag([step_mm, step_mm, step_mm, 1.0])
    affine[:3, 3] = [-(ni - 1) * step_mm / 2 + offset_mm, -(nj - 1) * step_mm / 2,
                     -(nk - 1) * step_mm / 2]
    return Grid(affine=affine, shape=shape)


def _fields(grid, shift_mm=0.0, scale=1.0):
    """Dose in Gy: three overlapping Gaussian fields (a target and two hot spots)."""
    nk, nj, ni = grid.shape
    o, s = grid.origin_mm, grid.spacing_mm
    x = (o[0] + s[0] * np.arange(ni) - shift_mm)[None, None, :]
    y = (o[1] + s[1] * np.arange(nj))[None, :, None]
    z = (o[2] + s[2] * np.arange(nk))[:, None, None]
    dose = np.zeros(grid.shape, np.float32)
    for (cx, cy, cz), sigma, peak in (((0, 0, 0), 40, 60.0), ((30, -20, 10), 15, 10.0),
                                      ((-40, 25, -20), 20, 8.0)):
        dose += (peak * np.exp(-((x - cx)**2 + (y - cy)**2 + (z - cz)**2) / (2 * sigma**2))
                 ).astype(np.float32)
    return dose * np.float32(scale)


def _structures(n, rng):
    """``n`` contour stacks: spheres and cuboids of 10-60 mm inside the field."""
    structures = []
    t = np.linspace(0, 2 * np.pi, 64, endpoint=False)
    for m in range(n):
        centre = rng.uniform(-60, 60, 3)
        size = rng.uniform(10, 60)
        polygons = []
        for dz in np.arange(-size / 2 + 1.5, size / 2, 3.0):
            if m % 2:  # sphere of diameter size
                r = np.sqrt(max((size / 2) ** 2 - dz**2, 1.0))
                xy = np.column_stack([r * np.cos(t), r * np.sin(t)])
            else:
                h = size / 2
                xy = np.array([[-h, -h], [h, -h], [h, h], [-h, h]])
            polygons.append(np.column_stack([xy + centre[:2],
                                             np.full(len(xy), centre[2] + dz)]))
        structures.append(build_structure_model(polygons, "slab"))
    return structures


def _timed(fn):
    t0 = time.perf_counter()
    value = fn()
    return time.perf_counter() - t0, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", type=int, nargs=3, default=(150, 200, 200),
                        metavar=("NK", "NJ", "NI"))
    parser.add_argument("--step-mm", type=float, default=2.0)
    parser.add_argument("--structures", type=int, default=30)
    parser.add_argument("--no-gamma", action="store_true")
    parser.add_argument("--no-demo", action="store_true",
                        help="skip the demo replan against the 3DCRT plan")
    parser.add_argument("--check-slices", type=int, default=1, metavar="N",
                        help="slices of the demo pair checked against the plain search "
                             "(0: none)")
    args = parser.parse_args()
    shape = tuple(args.shape)
    grid_a, grid_b = _grid(shape, args.step_mm), _grid(shape, args.step_mm, args.step_mm / 2)
    a, b = _fields(grid_a), _fields(grid_b, shift_mm=1.0, scale=1.01)
    solids = _structures(args.structures, np.random.default_rng(19))

    baseline_data = np.random.default_rng(0).random(2_000_000)
    t_base, _ = _timed(lambda: np.sort(baseline_data))
    t_diff, diff = _timed(lambda: resample_to_grid(b, grid_b, grid_a, outside=np.nan) - a)
    t_dvh, dvhs = _timed(lambda: [(compute_dvh(s, a, grid_a), compute_dvh(s, b, grid_b))
                                  for s in solids])
    print(f"grid {shape[2]}x{shape[1]}x{shape[0]} at {args.step_mm:g} mm, "
          f"{len(solids)} structures")
    print(f"baseline  numpy sort 2M floats   {t_base * 1e3:9.1f} ms   1.0x")
    print(f"difference (resample B + B-A)    {t_diff * 1e3:9.1f} ms   "
          f"{t_diff / t_base:6.1f}x  (max |B-A| {np.nanmax(np.abs(diff)):.3f} Gy)")
    print(f"DVHs {len(solids)} structures x 2 doses   {t_dvh * 1e3:9.1f} ms   "
          f"{t_dvh / t_base:6.1f}x  (Dmean A/B of the first: {dvhs[0][0].dmean_gy:.3f} / "
          f"{dvhs[0][1].dmean_gy:.3f} Gy)")
    if args.no_gamma:
        return
    for rates_only in (True, False):
        criteria = GammaCriteria(3.0, 3.0, cutoff_percent=10.0, pass_rate_only=rates_only)
        t_gamma, result = _timed(lambda c=criteria: gamma_index(a, grid_a, b, grid_b, c))
        what = "pass rate only" if rates_only else "full map     "
        print(f"gamma 3%/3mm 10% cut-off, {what} {t_gamma * 1e3:9.1f} ms   "
              f"{t_gamma / t_base:6.1f}x  ({int(result.evaluated.sum())} voxels evaluated, "
              f"pass {100 * result.pass_rate():.2f} %)")
    if not args.no_demo:
        _demo_replan(t_base, args.check_slices)


def _demo_replan(t_base, check_slices):
    """Gamma of the demo's replan against its 3DCRT plan, and a check on a few slices."""
    with tempfile.TemporaryDirectory() as folder:
        a, b = _demo_doses(Path(folder))
    criteria = GammaCriteria(3.0, 3.0, cutoff_percent=10.0, pass_rate_only=True)
    slabs = []
    t_gamma, result = _timed(lambda: gamma_index(a.dose_gy, a.grid, b.dose_gy, b.grid, criteria,
                                                 progress=lambda d, n: slabs.append(n)))
    print(f"demo replan vs 3DCRT, gamma 3%/3mm pass/fail {t_gamma * 1e3:9.1f} ms   "
          f"{t_gamma / t_base:6.1f}x  ({int(result.evaluated.sum())} voxels evaluated, "
          f"pass {100 * result.pass_rate():.3f} %, {slabs[0]} slabs)")
    if check_slices <= 0:
        return
    # the reference computation on central slices: pymedphys on the whole block, no
    # bound, no slabs, every voxel searched to gamma 2 (without a limit a voxel 20 Gy
    # off searches 40 mm: hours)
    import pymedphys

    k = np.flatnonzero(result.evaluated.any(axis=(1, 2)))
    k0 = int(k[len(k) // 2])
    ks = slice(k0, k0 + check_slices)
    axes = axis_coordinates(a.grid, a.grid.directions)
    block_axes = (axes[0][ks], axes[1], axes[2])
    normalisation = float(a.dose_gy.max())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_plain, plain = _timed(lambda: pymedphys.gamma(
            block_axes, a.dose_gy[ks].astype(np.float64), axes, b.dose_gy.astype(np.float64),
            3, 3, lower_percent_dose_cutoff=10, interp_fraction=10, max_gamma=2.0,
            global_normalisation=normalisation, quiet=True, interp_algo="scipy"))
    evaluated = np.isfinite(plain)
    ours = result.gamma[ks]
    agree = np.count_nonzero((ours[evaluated] <= 1) == (plain[evaluated] <= 1))
    print(f"  check on slices {k0}-{k0 + check_slices - 1}: plain pymedphys to gamma 2 "
          f"{t_plain:.1f} s, pass {100 * np.mean(plain[evaluated] <= 1):.3f} %; ours pass "
          f"{100 * np.mean(ours[evaluated] <= 1):.3f} %; verdicts agree on {agree} of "
          f"{int(evaluated.sum())} voxels")


def _demo_doses(folder):
    """The PLAN doses of the demo's 3DCRT plan (A) and of its replan (B)."""
    import pydicom

    from rtviewer.demo.generate import DEFAULT_SEED
    from rtviewer.demo.thorax_patient import write_thorax_patient
    from rtviewer.dicom.dose import read_dose

    write_thorax_patient(folder, DEFAULT_SEED)
    files = sorted(folder.rglob("*.dcm"))
    headers = {f: pydicom.dcmread(f, stop_before_pixels=True) for f in files}
    labels = {ds.SOPInstanceUID: ds.RTPlanLabel for ds in headers.values()
              if ds.Modality == "RTPLAN"}
    doses = {labels[ds.ReferencedRTPlanSequence[0].ReferencedSOPInstanceUID]: f
             for f, ds in headers.items()
             if ds.Modality == "RTDOSE" and ds.DoseSummationType == "PLAN"}
    return read_dose(doses["Lung 3DCRT"]), read_dose(doses["Lung 3D Replan"])


if __name__ == "__main__":
    main()
