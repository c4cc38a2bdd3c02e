"""Screenshots of the comparison mode (issue 19) in the real window.

Usage: ``compare_shots.py OUT_PREFIX FOLDER PATIENT_ID B_LABEL GAMMA [WxH]`` under an X server
(``xvfb-run -s "-screen 0 1600x1000x24"``): opens FOLDER on PATIENT_ID, checks as B the
one source of the Compare tab whose label contains B_LABEL (e.g. ``Lung VMAT``), gamma
criteria GAMMA (``-`` for none), compares, and saves at 1600x1000
``OUT_PREFIX-difference.png`` (B − A map, the metric table), ``-gamma.png`` (with gamma),
``-dvh.png`` (paired DVHs) and ``-plans.png`` (the plan sheets side by side); ``WxH``
another window size (e.g. ``1280x800``, with a screen as large).
"""

from __future__ import annotations

import sys
import time

from window_shots import fixed_window  # this folder: the scripts run as files


def _settle(app, seconds: float = 2.0) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.05)


def _shot(app, window, path: str) -> None:
    """Settle, then save the window without the status message.

    The 15 s load message may or may not be left, as the machine's load has it: two
    runs give the same pixels without it (as in window_shots.py).
    """
    _settle(app)
    window.statusBar().clearMessage()
    app.processEvents()
    window.grab().save(path)


def main(argv: list[str]) -> int:
    """Open, compare, save the pictures; 1 when B is not found or the comparison fails."""
    prefix, folder, patient, b_label, gamma = argv[:5]
    width, height = (int(v) for v in (argv[5] if len(argv) > 5 else "1600x1000").split("x"))
    app, window, controller, open_path = fixed_window()
    from PySide6 import QtCore
    controller.preferred_patient = patient
    window.setGeometry(0, 0, width, height)
    window.show()
    open_path(folder)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and (window.is_scanning() or not window.results):
        app.processEvents()
        time.sleep(0.02)
    controller.wait()
    viewer = controller.viewer
    viewer.dvh_panel.wait_all()
    panel = viewer.compare_panel
    rows = [panel.sources.item(r, 0) for r in range(panel.sources.rowCount())]
    matches = [item for item in rows if b_label in item.text()]
    if len(matches) < 1:
        print(f"compare_shots: no B source labelled {b_label!r}: "
              f"{[item.text() for item in rows]}", file=sys.stderr)
        return 1
    for item in rows:
        item.setCheckState(QtCore.Qt.CheckState.Checked if item is matches[0]
                           else QtCore.Qt.CheckState.Unchecked)
    panel.gamma_edit.setText("" if gamma == "-" else gamma)
    viewer.show_compare_tab()
    started = time.monotonic()
    panel.start()
    while panel._worker is not None and time.monotonic() - started < 1800:
        app.processEvents()
        time.sleep(0.05)
    print(f"compare_shots: compared in {time.monotonic() - started:.1f} s: "
          f"{panel.status.text()}", file=sys.stderr)
    if panel.outcome is None:
        return 1
    viewer.dvh_panel.wait_all()
    state = viewer.compare_state
    state.set_map("difference")
    _shot(app, window, f"{prefix}-difference.png")
    if panel.outcome.comparison.gamma is not None:
        panel.map_choice.setCurrentIndex(panel.map_choice.findData("gamma"))
        _shot(app, window, f"{prefix}-gamma.png")
        panel.map_choice.setCurrentIndex(panel.map_choice.findData("difference"))
    panel.results.setCurrentIndex(1)  # Plans
    _shot(app, window, f"{prefix}-plans.png")
    viewer.tabs.setCurrentWidget(viewer.dvh_panel)
    _shot(app, window, f"{prefix}-dvh.png")
    controller.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
