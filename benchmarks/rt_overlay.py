"""Benchmark: redraw of the beam overlay on one slice view (RayStation 8-arc SRS plan).

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/rt_overlay.py [CORPUS]``.
Prints the mean redraw time of the axial overlay (every visible beam cut by the
plane, arc spans, labels) and of one slice step of the whole viewer.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from timing import median_s

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> None:
    """Load the case, time 20 overlay redraws and 20 slice steps."""
    import pyqtgraph as pg
    from PySide6 import QtWidgets

    pg.setConfigOptions(imageAxisOrder="row-major")
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    from rtviewer.dicom.dose import read_dose
    from rtviewer.dicom.plan import read_plan
    from rtviewer.dicom.structure import read_structure_set
    from rtviewer.ui.views.viewer import Viewer
    from rtviewer.view.scene import Scene

    root = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parents[2] / "shared/data")
    folder = root / "pps-vendor-plans/BrainSRSRaystationVMAT"
    scene = Scene(plan=read_plan(next(folder.glob("RP*.dcm"))),
                  structures=read_structure_set(next(folder.glob("RS*.dcm"))),
                  dose=read_dose(next(folder.glob("RD*.dcm"))))
    viewer = Viewer()
    viewer.resize(1600, 1000)
    viewer.set_scene(scene)
    viewer.show()
    app.processEvents()
    overlay = viewer.rt_views.beams["axial"]
    plane = viewer.views["axial"].plane()
    start = time.perf_counter()
    for _ in range(20):
        overlay.redraw(plane)
    print(f"beam overlay redraw: {(time.perf_counter() - start) / 20 * 1000:.1f} ms "
          f"({len(overlay.drawings)} beams)")
    start = time.perf_counter()
    for _ in range(20):
        viewer.views["axial"].scroll(1)
        app.processEvents()
    step_ms = (time.perf_counter() - start) / 20 * 1000
    print(f"slice step, whole viewer: {step_ms:.1f} ms")
    # issue 17: each beam's label placed clear of the others, the legend and the anatomy
    # (view/label_layout.py), as a share of the slice step timed above
    labels_ms = median_s(overlay._place_labels, 20) * 1000
    legend_ms = median_s(viewer.views["axial"].place_labels, 20) * 1000
    print(f"beam labels placed: {labels_ms:.2f} ms = {labels_ms / step_ms:.2f} x the slice "
          f"step; title, letters, legend and beam labels: {legend_ms:.2f} ms = "
          f"{legend_ms / step_ms:.2f} x")
    viewer.close()


if __name__ == "__main__":
    main()
