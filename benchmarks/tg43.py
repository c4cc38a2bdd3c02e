"""TG-43 engine speed: the demo HDR plan's dose grid and a 2 mm GEC-ESTRO grid.

Usage: ``.venv/bin/python benchmarks/tg43.py [--repeats 3]``

Times, in the same run (median of ``--repeats``):

* the TG-43U1 2-D engine (line source, g_L, bilinear F) on the demo's RT Dose grid
  (57 × 49 × 49 points, 15 dwells), as ``rtviewer demo`` computes it;
* the same points with a 1-D point source (Λ · g(r) / r², one ``np.interp``), the
  formula the demo used before the engine: the cost of the 2-D formalism;
* the window's "TG-43 (rtviewer)" dose of the corpus Eclipse HDR plan
  (``pytg43-brachy/HDR``: 25 dwells on the grid around the applicator, 2 mm), when
  ``RTVIEWER_TEST_DATA`` names the corpus;
* a fixed numpy baseline (sort of 2M floats), to put the numbers in proportion to this
  machine's speed and load at the time of the run.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np
from timing import median_s

from rtviewer.core import tg43
from rtviewer.demo.brachy_patient import DOSE_GRID, brachy_dose_gy, dwell_times_s
from rtviewer.demo.pelvis import CHANNELS


def _point_source(points: np.ndarray, times: tuple[tuple[float, ...], ...]) -> np.ndarray:
    source = tg43.load_source("mHDR-v2")
    total = np.zeros(len(points))
    for channel, channel_times in zip(CHANNELS, times, strict=True):
        for p, t in zip(channel.dwell_positions_mm(), channel_times, strict=True):
            r = np.maximum(np.linalg.norm(points - p, axis=1) / 10.0, 0.2)
            total += np.interp(r, source.g_r_cm, source.g_l) / r**2 * t
    return total


def main() -> None:
    """Print the three timings and their ratios to the baseline."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    points, times = DOSE_GRID.points_mm(), dwell_times_s()
    rng = np.random.default_rng(0)
    values = rng.random(2_000_000)
    baseline = median_s(lambda: np.sort(values), args.repeats)
    engine = median_s(lambda: brachy_dose_gy(points, times), args.repeats)
    point = median_s(lambda: _point_source(points, times), args.repeats)
    print(f"points {len(points)}, dwells {sum(len(t) for t in times)}")
    print(f"baseline sort 2M floats   {baseline * 1e3:8.1f} ms  1.0")
    print(f"TG-43U1 2-D engine        {engine * 1e3:8.1f} ms  {engine / baseline:5.1f} x baseline")
    print(f"1-D point source          {point * 1e3:8.1f} ms  {point / baseline:5.1f} x baseline")
    print(f"2-D / 1-D                 {engine / point:8.2f}")
    _corpus_plan(baseline, args.repeats)


def _corpus_plan(baseline: float, repeats: int) -> None:
    """The 3-D dose the window shows for the corpus Eclipse HDR plan (skipped without it)."""
    folder = Path(os.environ.get("RTVIEWER_TEST_DATA", "")) / "pytg43-brachy" / "HDR"
    if not (folder / "RP.HDR.dcm").is_file():
        print("corpus plan               skipped (RTVIEWER_TEST_DATA not set)")
        return
    from rtviewer.dicom.plan import read_plan
    from rtviewer.dicom.structure import read_structure_set
    from rtviewer.model.brachy_tg43_dose import tg43_dose

    plan = read_plan(folder / "RP.HDR.dcm")
    structures = read_structure_set(folder / "RS.HDR.dcm")
    result = tg43_dose(plan, structures)
    assert result is not None
    seconds = median_s(lambda: tg43_dose(plan, structures), repeats)
    shape = "x".join(str(n) for n in result.dose.grid.shape[::-1])
    print(f"TG-43 (rtviewer) HDR      {seconds * 1e3:8.1f} ms  {seconds / baseline:5.1f} x "
          f"baseline ({shape} points, {result.dwell_count} dwells)")


if __name__ == "__main__":
    main()
