"""Screenshots of the real window (the ``rtviewer`` composition) on a folder.

Usage: ``window_shots.py OUT.png WIDTHxHEIGHT FOLDER [PATIENT_ID]`` (the patient the
folder opens on, as ``rtviewer --demo`` opens on the external-beam patient). Run under
an X server (``xvfb-run -s "-screen 0 1600x1000x24"``) so that the window has real
decorations-free geometry; the user's saved layout is not read (a fresh QSettings
folder), so the picture shows the first-run layout. Font (DejaVu Sans 9 pt), style
(Fusion) and size are fixed, and the picture is taken once everything has settled
(scan, load, DVHs, plan sheet, DRRs), so two runs give the same pixels.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time


def fixed_window():
    """The application and its main window, set up the same way for every shot script.

    First-run layout with nothing saved (a fixed, emptied config folder: the goals text
    names it), the Fusion style and DejaVu Sans 9, so two runs give the same pixels.
    Returns ``(app, window, controller, open_path)``.
    """
    os.environ["XDG_CONFIG_HOME"] = os.path.join(tempfile.gettempdir(), "rtviewer-shots-config")
    shutil.rmtree(os.environ["XDG_CONFIG_HOME"], ignore_errors=True)
    from PySide6 import QtGui, QtWidgets  # noqa: I001
    import pyqtgraph as pg

    pg.setConfigOptions(imageAxisOrder="row-major", useOpenGL=False)
    app = QtWidgets.QApplication([sys.argv[0]])
    app.setApplicationName("rtviewer")
    app.setOrganizationName("rtviewer")
    app.setStyle("Fusion")
    app.setFont(QtGui.QFont("DejaVu Sans", 9))
    from rtviewer.app import build_window

    return (app, *build_window(opening=True))


def main(argv: list[str]) -> int:
    """Open FOLDER in the window, wait until its first image is shown, save OUT.png."""
    out, size, folder = argv[:3]
    app, window, controller, open_path = fixed_window()
    if len(argv) > 3:
        controller.preferred_patient = argv[3]
    width, height = (int(v) for v in size.split("x"))
    window.setGeometry(0, 0, width, height)
    window.show()
    open_path(folder)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        app.processEvents()
        if not window.is_scanning() and window.results:
            break
        time.sleep(0.02)
    controller.wait()
    controller.viewer.dvh_panel.wait_all()
    for _ in range(60):  # late menus (4 s at most), repaint
        app.processEvents()
        time.sleep(0.05)
    # the load message leaves after 15 s: on a busy machine it has gone before the
    # shot and on an idle one not; two runs give the same pixels without it
    window.statusBar().clearMessage()
    app.processEvents()
    window.grab().save(out)
    controller.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
