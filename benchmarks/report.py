"""Review-report benchmark: the demo thorax report, its pictures with and without the DVH handover.

Usage: ``QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/report.py [--repeats 1]``
(writes the demo into a temporary folder; no corpus needed).

Times, in the same run:

* the whole report (``build_report``: sections and pictures, no PDF);
* the pictures as the report draws them: the DVH picture draws the DVHs the report
  computed in-process (``render_report_pictures(..., dvhs=...)``);
* the baseline: the same pictures with the DVH panel computing the DVHs again in its
  worker pool (what the report did before the handover);
* the beam's-eye views' structure outlines (``union_outline`` of every ROI and beam).

Wall and CPU seconds are printed with the ratio baseline / handover.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from timing import median_s


def _cpu_and_wall(fn) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from rtviewer.cli.report_build import ReportInputs, _dvh_rows, build_report, choose_bundle
    from rtviewer.demo.generate import generate_demo
    from rtviewer.ui.render.report_pictures import render_report_pictures

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate_demo(root / "demo")
        folder = next((root / "demo").glob("*THORAX*"))
        inputs = ReportInputs(folder, goals="lung_conventional")
        bundle = choose_bundle(inputs)
        dose = bundle.doses[0]
        rows = _dvh_rows(bundle.structure_set, dose, "slab")
        dvhs = {r.roi_number: r.dvh for r in rows}

        def pictures(given):
            out = root / f"png{time.perf_counter_ns()}"
            out.mkdir()
            render_report_pictures(folder, out, lambda _line: None, plan=str(bundle.plan.path),
                                   dose=str(dose.path), model="slab", dvhs=given)

        def report():
            out = root / f"rep{time.perf_counter_ns()}"
            out.mkdir()
            build_report(inputs, out)

        print(f"uptime: {os.getloadavg()}")
        for name, fn in (("whole report (build_report)", report),
                         ("pictures, DVHs handed over", lambda: pictures(dvhs)),
                         ("pictures, baseline (panel's workers)", lambda: pictures(None))):
            wall = median_s(fn, args.repeats)
            print(f"{name:40s} median wall {wall:6.2f} s")
        handed = _cpu_and_wall(lambda: pictures(dvhs))
        baseline = _cpu_and_wall(lambda: pictures(None))
        print(f"pictures once more, wall/CPU s: handed {handed[0]:.2f}/{handed[1]:.2f}, "
              f"baseline {baseline[0]:.2f}/{baseline[1]:.2f}; "
              f"wall ratio baseline/handed {baseline[0] / handed[0]:.2f}")


if __name__ == "__main__":
    main()
