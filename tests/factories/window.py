"""The main window with the viewer attached, showing a folder (UI tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rtviewer.ui.window.main_window import MainWindow
from rtviewer.ui.window.viewer_controller import ViewerController, attach_viewer


def open_window(qtbot: Any, folder: Path, size: tuple[int, int] = (1400, 900),
                timeout_ms: int = 120000) -> tuple[MainWindow, ViewerController]:
    """A shown main window that has opened ``folder`` and shown its first chain."""
    window = MainWindow()
    qtbot.addWidget(window)
    controller = attach_viewer(window)
    window.resize(*size)
    window.show()
    with qtbot.waitSignal(controller.loaded, timeout=timeout_ms):
        window.open_path(str(folder))
    return window, controller
