"""Plan sheet SSD benchmark: the body-entry search against a plain march of the whole ray.

Usage: ``.venv/bin/python benchmarks/plan_sheet.py [--repeats 5]`` (needs the corpus,
``RTVIEWER_TEST_DATA``).

Times, in the same run, on the Eclipse breast plan (dicompyler-core, 4 beams) and the
RayStation SRS plan (11 beams, 79-contour BODY):

* the plan sheet with SSDs (``build_plan_sheet``: bounding-box clipped march + bisection);
* the baseline: the same SSDs by marching the whole source → 2·SAD ray at 0.5 mm with
  the structure model's inside test (what the search would cost without the clipping);
* a fixed numpy baseline (sort of 2M floats) for the machine's speed at the time.

The baseline resolves the entry to its 0.5 mm step only (ours bisects to 0.01 mm); the
ratio is what the clipping buys.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np
from timing import median_s

from rtviewer.core.structure_model import build_structure_model, contains
from rtviewer.dicom.plan_bundle import load_bundle, plan_bundles
from rtviewer.model.plan_sheet import beam_geometry, build_plan_sheet, find_body_roi

CASES = ("dicompyler-core", "pps-vendor-plans/BrainSRSRaystationVMAT")


def _full_march(plan, body) -> list[float]:
    out = []
    for beam in plan.beams:
        geometry, _ = beam_geometry(plan, beam)
        t = np.arange(0.0, 2 * geometry.sad_mm, 0.5)
        inside = contains(body, geometry.source_mm + t[:, None] * geometry.beam_direction)
        out.append(float(t[np.argmax(inside)]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    corpus = Path(os.environ.get("RTVIEWER_TEST_DATA", "../shared/data"))
    rng = np.random.default_rng(0)
    numbers = rng.random(2_000_000)
    baseline = median_s(lambda: np.sort(numbers), args.repeats)
    print(f"numpy baseline (sort 2M floats): {baseline * 1000:.1f} ms")
    for case in CASES:
        plans, headers = plan_bundles(corpus / case)
        bundle = load_bundle(plans[0], headers, with_doses=False)
        roi, _ = find_body_roi(bundle.structure_set.rois)
        body = build_structure_model(roi.closed_polygons_mm())
        ours = median_s(lambda b=bundle, m=body: build_plan_sheet(b.plan, m), args.repeats)
        full = median_s(lambda b=bundle, m=body: _full_march(b.plan, m), args.repeats)
        sheet = build_plan_sheet(bundle.plan, body)
        worst = max(abs(b.ssd_mm - f) for b, f in zip(sheet.beams, _full_march(
            bundle.plan, body), strict=True))
        print(f"{case}: {len(sheet.beams)} beams; plan sheet with SSDs {ours * 1000:.0f} ms "
              f"({ours / baseline:.1f} x baseline); whole-ray march {full * 1000:.0f} ms "
              f"({full / baseline:.1f} x baseline); ratio {full / ours:.1f}; "
              f"largest SSD difference {worst:.2f} mm (march step 0.5 mm)")


if __name__ == "__main__":
    main()
