"""The one view state every viewer widget writes to and listens to.

Widgets never call each other: a user action sets a value here, the state emits
a signal, and every interested widget updates itself (inside a
``QSignalBlocker`` so it does not echo the change back). Values are plain
Python / numpy; nothing here knows about DICOM or pyqtgraph.

Positions are DICOM patient coordinates (LPS) in millimetres, ``(x, y, z)``.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore

from rtviewer.view.chain import Chain
from rtviewer.view.dose_colours import isodose_palette
from rtviewer.view.reference_dose import ReferenceDose

__all__ = ["CT_PRESETS", "DEFAULT_ISODOSE_PERCENT", "ViewState"]

#: CT window presets, name -> (window width, window level) in HU.
CT_PRESETS: dict[str, tuple[float, float]] = {
    "Soft tissue": (400.0, 40.0),
    "Lung": (1500.0, -600.0),
    "Bone": (2000.0, 300.0),
    "Brain": (80.0, 40.0),
    "Mediastinum": (350.0, 50.0),
    "Liver": (150.0, 30.0),
}

#: Default isodose levels, % of the reference dose (issue 5).
DEFAULT_ISODOSE_PERCENT: tuple[float, ...] = (107.0, 105.0, 100.0, 95.0, 90.0, 80.0, 70.0,
                                              50.0, 30.0)


class ViewState(QtCore.QObject):
    """Shared, observable state of the viewer.

    Every setter emits its signal only when the value actually changes.
    """

    crosshairChanged = QtCore.Signal(object)        # np.ndarray (3,) patient mm
    windowLevelChanged = QtCore.Signal(float, float)  # width, level (HU)
    visibleRoisChanged = QtCore.Signal(object)      # frozenset[int] of ROI numbers
    fillChanged = QtCore.Signal(bool)
    isodoseLevelsChanged = QtCore.Signal(object)    # tuple[float, ...]
    isodoseAbsoluteChanged = QtCore.Signal(bool)    # levels in Gy instead of %
    referenceDoseChanged = QtCore.Signal(object)    # ReferenceDose | None
    colourwashChanged = QtCore.Signal(bool, float)  # on, threshold % of reference
    layoutChanged = QtCore.Signal(int)              # 1 or 3 views
    singleViewChanged = QtCore.Signal(str)          # the view shown in the 1-view layout
    selectionChanged = QtCore.Signal(object)        # Chain: the objects shown
    cursorChanged = QtCore.Signal(object)           # np.ndarray (3,) or None

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._crosshair = np.zeros(3)
        self._window = (400.0, 40.0)
        self._visible: frozenset[int] = frozenset()
        self._fill = False
        self._levels: tuple[float, ...] = DEFAULT_ISODOSE_PERCENT
        self._absolute = False
        self._reference: ReferenceDose | None = None
        #: ROI display colours of the shown structure set: isodoses keep clear of them
        #: (set with the scene, before the views draw it).
        self.structure_colours: tuple[tuple[int, int, int], ...] = ()
        self._wash = (False, 10.0)
        self._layout = 3
        self._single_view = "axial"
        self._selection = Chain()
        self._cursor: np.ndarray | None = None
        #: The slice view the cursor is in (its overlays answer the readout), if any.
        self.cursor_view: str | None = None

    # -- crosshair ------------------------------------------------------------------
    @property
    def crosshair_mm(self) -> np.ndarray:
        """The linked crosshair, patient ``(x, y, z)`` mm (a copy)."""
        return self._crosshair.copy()

    def set_crosshair_mm(self, xyz: np.ndarray | tuple[float, float, float]) -> None:
        """Move the crosshair to patient ``(x, y, z)`` mm."""
        new = np.asarray(xyz, dtype=np.float64).reshape(3)
        if not np.all(np.isfinite(new)):
            raise ValueError(f"crosshair must be finite, got {new}")
        if np.allclose(new, self._crosshair, atol=1e-9):
            return
        self._crosshair = new
        self.crosshairChanged.emit(new.copy())

    # -- cursor (hover) -------------------------------------------------------------
    @property
    def cursor_mm(self) -> np.ndarray | None:
        """The point under the mouse, patient mm, or None when outside every view."""
        return None if self._cursor is None else self._cursor.copy()

    def set_cursor_mm(self, xyz: np.ndarray | None, view: str | None = None) -> None:
        """Set the hover point (drives the status-bar readout) and the view it is in."""
        self._cursor = None if xyz is None else np.asarray(xyz, dtype=np.float64).reshape(3)
        self.cursor_view = view
        self.cursorChanged.emit(self.cursor_mm)

    # -- window / level -------------------------------------------------------------
    @property
    def window_level(self) -> tuple[float, float]:
        """``(width, level)`` of the image grey scale, in image units (HU for CT)."""
        return self._window

    def set_window_level(self, width: float, level: float) -> None:
        """Set the grey-scale window; the width is clamped to at least 1."""
        new = (max(1.0, float(width)), float(level))
        if new == self._window:
            return
        self._window = new
        self.windowLevelChanged.emit(*new)

    # -- structures -----------------------------------------------------------------
    @property
    def visible_rois(self) -> frozenset[int]:
        """ROI numbers whose contours are drawn (and whose DVHs are computed)."""
        return self._visible

    def set_visible_rois(self, roi_numbers: frozenset[int] | set[int] | list[int]) -> None:
        """Replace the set of visible ROI numbers."""
        new = frozenset(int(n) for n in roi_numbers)
        if new == self._visible:
            return
        self._visible = new
        self.visibleRoisChanged.emit(new)

    def set_roi_visible(self, roi_number: int, visible: bool) -> None:
        """Show or hide one ROI."""
        current = set(self._visible)
        (current.add if visible else current.discard)(int(roi_number))
        self.set_visible_rois(current)

    @property
    def fill(self) -> bool:
        """Whether contours are drawn with a translucent fill."""
        return self._fill

    def set_fill(self, on: bool) -> None:
        """Turn the translucent contour fill on or off."""
        if bool(on) != self._fill:
            self._fill = bool(on)
            self.fillChanged.emit(self._fill)

    # -- dose -----------------------------------------------------------------------
    @property
    def isodose_levels(self) -> tuple[float, ...]:
        """Isodose levels, % of the reference dose (or Gy when :attr:`isodose_absolute`)."""
        return self._levels

    def set_isodose_levels(self, levels: tuple[float, ...] | list[float]) -> None:
        """Replace the isodose levels (sorted high to low, duplicates removed, > 0 only)."""
        new = tuple(sorted({float(v) for v in levels if np.isfinite(v) and v > 0}, reverse=True))
        if new == self._levels:
            return
        self._levels = new
        self.isodoseLevelsChanged.emit(new)

    @property
    def isodose_absolute(self) -> bool:
        """True when the isodose levels are in Gy rather than % of the reference."""
        return self._absolute

    def set_isodose_absolute(self, on: bool) -> None:
        """Switch the meaning of the isodose levels between % and Gy."""
        if bool(on) != self._absolute:
            self._absolute = bool(on)
            self.isodoseAbsoluteChanged.emit(self._absolute)

    def isodose_colours(self) -> list[tuple[int, int, int]]:
        """RGB of each of :meth:`isodose_levels_gy`, avoiding the structures' colours."""
        levels = self.isodose_levels_gy()
        if not levels:
            return []
        reference = self._reference.dose_gy if self._reference is not None else max(levels)
        return isodose_palette(tuple(v / reference for v in levels), self.structure_colours)

    def isodose_levels_gy(self) -> tuple[float, ...]:
        """The isodose levels in Gy; empty when relative levels have no reference dose."""
        if self._absolute:
            return self._levels
        if self._reference is None or self._reference.dose_gy <= 0:
            return ()
        return tuple(v / 100.0 * self._reference.dose_gy for v in self._levels)

    @property
    def reference_dose(self) -> ReferenceDose | None:
        """The dose that 100 % means, or None when unknown."""
        return self._reference

    def set_reference_dose(self, reference: ReferenceDose | None) -> None:
        """Set (or clear) the reference dose and its source."""
        if reference is not None and not (np.isfinite(reference.dose_gy)
                                          and reference.dose_gy > 0):
            raise ValueError(f"reference dose must be positive, got {reference.dose_gy}")
        if reference == self._reference:
            return
        self._reference = reference
        self.referenceDoseChanged.emit(reference)

    @property
    def colourwash(self) -> tuple[bool, float]:
        """``(on, threshold_percent)``: doses below the threshold are not washed."""
        return self._wash

    def set_colourwash(self, on: bool, threshold_percent: float | None = None) -> None:
        """Turn the colourwash on/off and optionally change its low-dose threshold (%)."""
        threshold = self._wash[1] if threshold_percent is None else float(threshold_percent)
        new = (bool(on), max(0.0, threshold))
        if new == self._wash:
            return
        self._wash = new
        self.colourwashChanged.emit(*new)

    # -- layout & selection ---------------------------------------------------------
    @property
    def layout(self) -> int:
        """1 (the axial view alone) or 3 (axial, sagittal, coronal)."""
        return self._layout

    def set_layout(self, views: int) -> None:
        """Choose the 1-view or 3-view layout."""
        if views not in (1, 3):
            raise ValueError(f"layout must be 1 or 3 views, got {views}")
        if views != self._layout:
            self._layout = views
            self.layoutChanged.emit(views)

    @property
    def single_view(self) -> str:
        """The view shown alone in the 1-view layout."""
        return self._single_view

    def set_single_view(self, view: str) -> None:
        """Choose the view the 1-view layout shows (``axial``, ``sagittal``, ``coronal``)."""
        if view not in ("axial", "sagittal", "coronal"):
            raise ValueError(f"unknown view {view!r}")
        if view != self._single_view:
            self._single_view = view
            self.singleViewChanged.emit(view)

    @property
    def selection(self) -> Chain:
        """The objects shown: image series, structure set, plan and dose files."""
        return self._selection

    def set_selection(self, chain: Chain) -> None:
        """Say which objects are shown (the loaded chain)."""
        if chain == self._selection:
            return
        self._selection = chain
        self.selectionChanged.emit(chain)
