"""Benchmark: a beam's MU-weighted fluence against drawing its apertures, same run.

Run: ``.venv/bin/python benchmarks/fluence.py [CORPUS]``. For the dicompyler-core
sliding-window tangents (92–103 control points) and the RayStation SRS arcs (91),
prints the fluence time per beam and its ratio to the baseline: computing every
control point's aperture polygons (what the aperture movie draws), timed here too.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path


def _best(fn, repeat: int = 3) -> float:  # noqa: ANN001 - any callable
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    """Time fluence and apertures for the first beams of two dynamic plans."""
    from rtviewer.dicom.plan import read_plan
    from rtviewer.view.beam_fluence import beam_fluence
    from rtviewer.view.beam_model import beam_at

    root = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parents[2] / "shared/data")
    plans = [root / "dicompyler-core/rtplan.dcm",
             next((root / "pps-vendor-plans/BrainSRSRaystationVMAT").glob("RP*.dcm"))]
    for path in plans:
        plan = read_plan(path)
        for beam in [b for b in plan.beams if len(b.control_points) > 2][:2]:
            base = _best(lambda b=beam, p=plan: [beam_at(p, b, k).apertures
                                         for k in range(len(b.control_points))])
            flu = _best(lambda b=beam: beam_fluence(b))
            result = beam_fluence(beam)
            print(f"{path.parent.name} beam {beam.number} ({len(beam.control_points)} CPs, "
                  f"{result.fluence.values.shape[0]}² px, ≤{result.fluence.substeps} "
                  f"sub-steps): fluence {flu * 1000:.0f} ms, apertures {base * 1000:.0f} ms, "
                  f"ratio {flu / base:.1f}")


if __name__ == "__main__":
    main()
