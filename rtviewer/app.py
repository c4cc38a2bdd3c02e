"""GUI composition root: ``rtviewer`` with no command, ``rtviewer open PATH...``, ``rtviewerw``."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(paths: Sequence[str] | None = None) -> int:
    """Open the main window on ``paths`` (folders or files); return the exit status."""
    if paths is None:
        paths = sys.argv[1:]
    # Import PySide6 before pyqtgraph so pyqtgraph binds to it, not another Qt.
    import pyqtgraph as pg
    from PySide6 import QtWidgets

    pg.setConfigOptions(imageAxisOrder="row-major", useOpenGL=False)
    from rtviewer.ui.main_window import MainWindow

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([sys.argv[0]])
    app.setApplicationName("rtviewer")
    app.setOrganizationName("rtviewer")
    window = MainWindow()
    window.show()
    for path in paths:
        window.open_path(path)
    return int(app.exec())
