"""Review-report benchmark: the demo thorax report, its pictures with and without the DVH handover.

Usage: ``QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/report.py [--repeats 1]``
(writes the demo into a temporary folder; no corpus needed).

Times, in the same run:

* the whole report (``build_report``: sections and pictures, no PDF);
* the pictures as the report draws them: the DVH picture draws the DVHs the report
  computed in-process (``render_report_pictures(..., dvhs=...)``);
* the baseline: the same pictures with the DVH panel computing the DVHs again in its
  worker pool (what the report did before the handover);
* the beam's-eye views as the report draws them: every treatment beam's DRR cast in a
  worker thread from the moment the scene is loaded (``prefetch_backdrops``), against
  the baseline of casting each DRR in place when its beam is drawn.

Wall and CPU seconds (CPU: every thread of the process) are printed with the ratios
baseline / new; the machine's load average is printed too, as the wall-clock ratios move
with it.
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
        _beams_eye_views(folder, root)


def _beams_eye_views(folder: Path, root: Path) -> None:
    """The report's beam's-eye views with DRRs prefetched in a thread, against in place."""
    from rtviewer.ui.render.common import qt_app
    from rtviewer.ui.render.report_pictures import _bev_view, _bevs, _Request, choose_chain
    from rtviewer.ui.views.bev_view import BeamsEyeView
    from rtviewer.ui.workers.loader import load_scene

    qt_app()
    chain, scanned = choose_chain(_Request(folder, None, None), lambda _line: None,
                                  fallback=lambda c: c.plan is not None)
    scene = load_scene(chain).scene
    prefetch = BeamsEyeView.prefetch_backdrops

    def views(prefetched: bool):
        def run():
            BeamsEyeView.prefetch_backdrops = prefetch if prefetched else lambda *_a: None
            out = root / f"bev{time.perf_counter_ns()}"
            out.mkdir()
            view, beams = _bev_view(scene, scanned, lambda _line: None)
            try:
                _bevs(view, beams, out)
            finally:
                view.close()
                BeamsEyeView.prefetch_backdrops = prefetch
        return run

    views(True)()  # the slab models and the Qt items once, outside the timing
    new = _cpu_and_wall(views(True))
    baseline = _cpu_and_wall(views(False))
    print(f"beam's-eye views, wall/CPU s: DRRs prefetched {new[0]:.2f}/{new[1]:.2f}, "
          f"in place {baseline[0]:.2f}/{baseline[1]:.2f}; wall ratio in place/prefetched "
          f"{baseline[0] / new[0]:.2f}; load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
