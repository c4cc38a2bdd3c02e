"""Screenshot export from the window: all slice views, or one chosen view, as PNG.

The Screenshot… button opens a menu (all views, axial, sagittal, coronal, DVH plot,
beam's-eye view, RT Image). A menu rather than a right-click action because the
right button already drags window/level in the slice views. A slice view's PNG gets
the same JSON sidecar as ``rtviewer render`` (pixel -> patient mm), so an exported
picture can be measured. The default folder is the user's Pictures (else home),
then the last folder used, never the folder the data came from.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6 import QtCore, QtWidgets

__all__ = ["EXPORT_DIR_KEY", "build_screenshot_menu", "default_export_dir", "save_view_png"]

#: QSettings key of the folder the last screenshot went to.
EXPORT_DIR_KEY = "export/screenshot_dir"


def _settings() -> QtCore.QSettings:
    return QtCore.QSettings()  # a seam: tests point it at a temporary INI file


def default_export_dir(settings: QtCore.QSettings | None = None) -> Path:
    """Folder the save dialog opens in: the last one used, else Pictures, else home."""
    store = settings if settings is not None else _settings()
    remembered = store.value(EXPORT_DIR_KEY)
    if isinstance(remembered, str) and Path(remembered).is_dir():
        return Path(remembered)
    pictures = QtCore.QStandardPaths.writableLocation(
        QtCore.QStandardPaths.StandardLocation.PicturesLocation)
    if pictures and Path(pictures).is_dir():
        return Path(pictures)
    return Path.home()


def save_view_png(widget: QtWidgets.QWidget, path: Path,
                  slice_views: dict[str, Any] | None = None) -> Path:
    """Grab ``widget`` to the PNG ``path``; with ``slice_views`` also write ``path``'s JSON.

    The JSON is the one ``rtviewer render`` writes: each slice view's rectangle in
    the PNG (pixels) and the 2-D affine from PNG pixel to patient mm.

    Raises
    ------
    OSError
        The PNG could not be written.
    """
    from rtviewer.ui.render_common import write_json  # the render's own sidecar writer

    path = Path(path)
    if path.suffix.lower() != ".png":
        path = path.with_name(path.name + ".png")
    if not widget.grab().save(str(path)):
        raise OSError(f"could not write {path}")
    if slice_views:
        write_json(path, widget, slice_views, {"view": "screenshot"})
    return path


def _alone(name: str, view: Any) -> Callable[[], tuple[Any, dict]]:
    """The export target of one slice view: the view and itself as its only slice view."""
    return lambda: (view, {name: view})


def _export_targets(viewer: Any) -> list[tuple[str, Callable[[], tuple[Any, dict]]]]:
    """(menu label, () -> (widget, slice views in it)) for every exportable view."""
    targets: list[tuple[str, Callable[[], tuple[Any, dict]]]] = [
        ("All slice views", lambda: (viewer.view_area,
                                     {n: v for n, v in viewer.views.items() if v.isVisible()}))]
    for name, view in viewer.views.items():
        targets.append((f"{name.capitalize()} view", _alone(name, view)))
    targets.append(("DVH plot", lambda: (viewer.dvh_panel.plot, {})))
    rt = getattr(viewer, "rt_views", None)
    if rt is not None:
        targets.append(("Beam's-eye view", lambda: (rt.bev, {})))
        targets.append(("RT Image", lambda: (rt.rt_image, {})))
    return targets


def _ask_and_save(viewer: Any, label: str, target: Callable[[], tuple[Any, dict]]) -> None:
    widget, slice_views = target()
    if not widget.isVisible() or widget.width() < 2:
        QtWidgets.QMessageBox.information(
            viewer, "Screenshot", f"The {label} is not on screen: show it first.")
        return
    stem = label.lower().replace("'", "").replace(" ", "-")
    start = default_export_dir() / f"{stem}.png"
    path, _ = QtWidgets.QFileDialog.getSaveFileName(viewer, f"Save {label} as PNG",
                                                    str(start), "PNG (*.png)")
    if not path:
        return
    try:
        saved = save_view_png(widget, Path(path), slice_views)
    except OSError as error:
        QtWidgets.QMessageBox.warning(viewer, "Screenshot", str(error))
        return
    _settings().setValue(EXPORT_DIR_KEY, str(saved.parent))


def build_screenshot_menu(viewer: Any, parent: QtWidgets.QWidget) -> QtWidgets.QMenu:
    """Menu of "Save … as PNG" actions, one per view of ``viewer``; object names ``export-N``."""
    menu = QtWidgets.QMenu(parent)
    for index, (label, target) in enumerate(_export_targets(viewer)):
        action = menu.addAction(f"{label}…")
        action.setObjectName(f"export-{index}")
        action.setData(label)
        action.triggered.connect(
            lambda _checked=False, label=label, target=target:
            _ask_and_save(viewer, label, target))
    return menu
