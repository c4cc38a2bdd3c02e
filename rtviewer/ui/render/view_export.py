"""Screenshot export from the window: all slice views, or one chosen view, as PNG.

The Screenshot… button opens a menu (all views, axial, sagittal, coronal, DVH plot,
beam's-eye view, RT Image). A menu rather than a right-click action because the
right button already drags window/level in the slice views. A slice view's PNG gets
the same JSON sidecar as ``rtviewer render`` (pixel -> patient mm), so an exported
picture can be measured. The default folder is the user's Pictures (else home),
then the last folder used, never the folder the data came from.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

__all__ = ["BURN_IN_KEY", "EXPORT_DIR_KEY", "build_screenshot_menu", "caption_lines",
           "default_export_dir", "save_view_png", "screenshot_caption", "with_caption"]

#: QSettings key of the folder the last screenshot went to.
EXPORT_DIR_KEY = "export/screenshot_dir"
#: Whether screenshots carry the caption strip (patient, plan, reference, date).
BURN_IN_KEY = "export/burn_in"


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


def caption_lines(caption: str, metrics: QtGui.QFontMetrics, width: int) -> list[str]:
    """``caption`` broken into lines no wider than ``width`` px, between its `` · `` parts.

    A part wider than ``width`` alone is broken between its words (a long plan name on
    a narrow DVH plot): nothing of the caption is ever cut.
    """
    lines: list[str] = []
    for part in caption.split(" · "):
        joined = f"{lines[-1]} · {part}" if lines else part
        if lines and metrics.horizontalAdvance(joined) <= width:
            lines[-1] = joined
            continue
        line = ""
        for word in part.split(" "):
            longer = f"{line} {word}" if line else word
            if line and metrics.horizontalAdvance(longer) > width:
                lines.append(line)
                line = word
            else:
                line = longer
        lines.append(line)
    return lines


def with_caption(picture: QtGui.QPixmap, caption: str) -> QtGui.QPixmap:
    """``picture`` with ``caption`` in a strip below it (the pixels above stay).

    The strip is as tall as the caption needs at the picture's width
    (:func:`caption_lines`): a single view or the DVH plot is narrower than the
    patient, plan and dose reference on one line.
    """
    font = QtGui.QFont()
    font.setPointSize(9)
    metrics = QtGui.QFontMetrics(font)
    lines = caption_lines(caption, metrics, max(picture.width() - 12, 40))
    height = metrics.lineSpacing() * len(lines) + 8
    out = QtGui.QPixmap(picture.width(), picture.height() + height)
    out.fill(QtGui.QColor(20, 30, 45))
    painter = QtGui.QPainter(out)
    painter.drawPixmap(0, 0, picture)
    painter.setFont(font)
    painter.setPen(QtGui.QColor(235, 235, 235))
    for row, line in enumerate(lines):
        painter.drawText(QtCore.QPointF(6, picture.height() + 4 + metrics.ascent()
                                        + row * metrics.lineSpacing()), line)
    painter.end()
    return out


def screenshot_caption(viewer: Any) -> str:
    """Patient, plan, dose reference and the date, for a picture a report can use."""
    parts = [viewer.banner.caption] if getattr(viewer, "banner", None) and \
        viewer.banner.caption else []
    dose = getattr(getattr(viewer, "scene", None), "dose", None)
    if dose is not None:  # which dose the isodoses are of: rtviewer's TG-43 is no TPS dose
        from rtviewer.model.tg43_mark import TG43_DOSE_NAME, is_tg43_dose
        from rtviewer.view.dose_labels import loaded_dose_label

        parts.append(f"{TG43_DOSE_NAME} dose of the dwells, not the planning system's"
                     if is_tg43_dose(dose) else loaded_dose_label(dose))
    reference = viewer.state.reference_dose
    if reference is not None:
        parts.append(f"100 % = {reference.dose_gy:.2f} Gy ({reference.source})")
    parts.append(caption_date())
    return " · ".join(parts)


def caption_date() -> str:
    """Today as ISO ``YYYY-MM-DD``; ``SOURCE_DATE_EPOCH`` (seconds, UTC) fixes it.

    The reproducible-builds convention: ``docs/screenshots/make.sh`` sets it so that
    two runs write the same pixels.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        when = dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
        return when.date().isoformat()
    return QtCore.QDate.currentDate().toString(QtCore.Qt.DateFormat.ISODate)


def save_view_png(widget: QtWidgets.QWidget, path: Path,
                  slice_views: dict[str, Any] | None = None, caption: str = "") -> Path:
    """Grab ``widget`` to the PNG ``path``; with ``slice_views`` also write ``path``'s JSON.

    The JSON is the one ``rtviewer render`` writes: each slice view's rectangle in
    the PNG (pixels) and the 2-D affine from PNG pixel to patient mm. A ``caption``
    is burnt in as a strip below the picture, which leaves those pixels where they are.

    Raises
    ------
    OSError
        The PNG could not be written.
    """
    from rtviewer.ui.render.common import write_json  # the render's own sidecar writer

    path = Path(path)
    if path.suffix.lower() != ".png":
        path = path.with_name(path.name + ".png")
    picture = widget.grab()
    if caption:
        picture = with_caption(picture, caption)
    if not picture.save(str(path)):
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
    targets.append(("DVH plot", lambda: (viewer.dvh_panel.plot_box, {})))  # with its legend
    rt = getattr(viewer, "rt_views", None)
    if rt is not None:
        targets.append(("Beam's-eye view", lambda: (rt.bev, {})))
        # the image, its graticule, field and description; not the chooser and W/L boxes
        targets.append(("RT Image", lambda: (rt.rt_image.view.picture, {})))
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
    burn_in = _settings().value(BURN_IN_KEY, True, type=bool)
    caption = screenshot_caption(viewer) if burn_in else ""
    try:
        saved = save_view_png(widget, Path(path), slice_views, caption)
    except OSError as error:
        QtWidgets.QMessageBox.warning(viewer, "Screenshot", str(error))
        return
    _settings().setValue(EXPORT_DIR_KEY, str(saved.parent))


def build_screenshot_menu(viewer: Any, parent: QtWidgets.QWidget) -> QtWidgets.QMenu:
    """Menu of "Save … as PNG" actions, one per view of ``viewer``; object names ``export-N``."""
    menu = QtWidgets.QMenu(parent)
    burn = menu.addAction("Burn in patient, plan, dose reference and date")
    burn.setObjectName("export-burn-in")
    burn.setCheckable(True)  # off for teaching material
    burn.setChecked(bool(_settings().value(BURN_IN_KEY, True, type=bool)))
    burn.toggled.connect(lambda on: _settings().setValue(BURN_IN_KEY, on))
    menu.addSeparator()
    for index, (label, target) in enumerate(_export_targets(viewer)):
        action = menu.addAction(f"{label}…")
        action.setObjectName(f"export-{index}")
        action.setData(label)
        action.triggered.connect(
            lambda _checked=False, label=label, target=target:
            _ask_and_save(viewer, label, target))
    return menu
