"""The status-bar readout at the cursor: patient mm, image value, dose (Gy and %), structures."""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtWidgets

from rtviewer.ui.views.view_state import ViewState
from rtviewer.view.reference_dose import ReferenceDose
from rtviewer.view.scene import Readout, Scene

__all__ = ["ReadoutLabel", "readout_text"]


def readout_text(readout: Readout, reference: ReferenceDose | None) -> str:
    """One line for the status bar.

    Examples
    --------
    >>> r = Readout(np.array([1.0, -2.0, 3.5]), -2.0, "HU", 7.5, ("PTV",))
    >>> readout_text(r, ReferenceDose(10.0, "plan"))
    '(1.0, -2.0, 3.5) mm   -2 HU   7.500 Gy (75.0 %)   in: PTV'
    >>> readout_text(r, ReferenceDose(10.0, "dose maximum", is_prescription=False))
    '(1.0, -2.0, 3.5) mm   -2 HU   7.500 Gy (75.0 % of max)   in: PTV'
    """
    x, y, z = readout.xyz_mm
    parts = [f"({x:.1f}, {y:.1f}, {z:.1f}) mm"]
    if readout.image_value is not None:
        parts.append(f"{readout.image_value:.0f} {readout.image_unit}".rstrip())
    if readout.dose_gy is not None:
        dose = f"{readout.dose_gy:.3f} Gy"
        if reference is not None:
            of = "" if reference.is_prescription else " of max"  # never "of Rx" then
            dose += f" ({100.0 * readout.dose_gy / reference.dose_gy:.1f} %{of})"
        parts.append(dose)
    if readout.roi_names:
        parts.append("in: " + ", ".join(readout.roi_names))
    return "   ".join(parts)


#: What the readout says while the cursor is off the views: where the numbers will appear.
IDLE_TEXT = "Point at a view: position (mm), image value, dose (Gy, %), structures"


class ReadoutLabel(QtWidgets.QLabel):
    """Follows ``state.cursorChanged`` and shows :func:`readout_text` for the scene."""

    def __init__(self, state: ViewState, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("readout")
        self.state = state
        self.scene = Scene()
        self.setFrameShape(QtWidgets.QFrame.Shape.StyledPanel)
        self.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self._idle()
        state.cursorChanged.connect(self._on_cursor)

    def _idle(self) -> None:
        self.setText(IDLE_TEXT)
        self.setStyleSheet("QLabel#readout { color: gray; }")

    def set_scene(self, scene: Scene) -> None:
        """Read values from ``scene`` from now on."""
        self.scene = scene
        self._idle()

    def _on_cursor(self, xyz: np.ndarray | None) -> None:
        if xyz is None or self.scene.empty:
            self._idle()
            return
        self.setStyleSheet("")
        self.setText(readout_text(self.scene.readout(xyz), self.state.reference_dose))
