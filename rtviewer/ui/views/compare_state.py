"""What the comparison overlays show: the comparison on screen and how it is drawn.

The Compare tab writes here; the comparison overlays of the slice views and the DVH
panel listen (as every viewer widget listens to ``ViewState``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray
from PySide6 import QtCore

if TYPE_CHECKING:  # the comparison's module (gamma, structure overlap) loads with it
    from rtviewer.model.plan_compare import DoseComparison


__all__ = ["MAPS", "CompareState"]

#: The map drawn under the isodoses: none, B − A, or the gamma index.
MAPS = ("none", "difference", "gamma")


class CompareState(QtCore.QObject):
    """Observable comparison state; setters emit only on a change."""

    comparisonChanged = QtCore.Signal(object)  # DoseComparison | None
    displayChanged = QtCore.Signal()           # B isodoses, map, unit or limit

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._comparison: DoseComparison | None = None
        self._b_isodoses = True
        self._map = "difference"
        self._percent = False
        self._limit = 0.0  # 0: automatic (see difference_limit)
        self.a_label, self.b_label = "A", "B"
        self._percent_of: DoseComparison | None = None
        self._percent_volume: NDArray[np.float32] | None = None
        self._auto_of: DoseComparison | None = None
        self._auto_gy = 0.0

    @property
    def comparison(self) -> DoseComparison | None:
        """The comparison on screen, or None."""
        return self._comparison

    def set_comparison(self, comparison: DoseComparison | None, b_label: str = "B",
                       a_label: str = "A") -> None:
        """Show another comparison (None: leave comparison mode); labels name A and B."""
        if comparison is self._comparison:
            return
        self._comparison, self.b_label, self.a_label = comparison, b_label, a_label
        self.comparisonChanged.emit(comparison)

    @property
    def b_isodoses(self) -> bool:
        """Whether B's isodoses are drawn (dashed, at A's levels and colours)."""
        return self._b_isodoses

    def set_b_isodoses(self, on: bool) -> None:
        """Draw B's isodoses or not."""
        if bool(on) != self._b_isodoses:
            self._b_isodoses = bool(on)
            self.displayChanged.emit()

    @property
    def map(self) -> str:
        """One of :data:`MAPS`."""
        return self._map

    def set_map(self, kind: str) -> None:
        """Choose the map under the isodoses."""
        if kind not in MAPS:
            raise ValueError(f"unknown map {kind!r}; one of {MAPS}")
        if kind != self._map:
            self._map = kind
            self.displayChanged.emit()

    @property
    def percent(self) -> bool:
        """B − A in % of A's maximum dose instead of Gy."""
        return self._percent

    def set_percent(self, on: bool) -> None:
        """Difference in % of the reference maximum (True) or Gy."""
        if bool(on) != self._percent:
            self._percent = bool(on)
            self.displayChanged.emit()

    def set_limit(self, value: float) -> None:
        """The difference drawn darkest (Gy or %, as :attr:`percent`); 0 = automatic."""
        value = max(0.0, float(value))
        if value != self._limit:
            self._limit = value
            self.displayChanged.emit()

    @property
    def unit(self) -> str:
        """``"%"`` or ``"Gy"``."""
        return "%" if self._percent else "Gy"

    def difference_volume(self) -> NDArray[np.float32] | None:
        """B − A on A's grid in :attr:`unit` (None without a comparison)."""
        c = self._comparison
        if c is None:
            return None
        if not self._percent:
            return c.difference_gy
        if self._percent_of is not c:  # one volume per comparison, not one per redraw
            self._percent_of, self._percent_volume = c, c.difference_percent()
        return self._percent_volume

    def difference_limit(self) -> float:
        """The colour scale's end (in :attr:`unit`): the user's, else automatic.

        Automatic: the 99th percentile of |B − A| over the voxels where A is at least
        10 % of its maximum (the low-dose cut of gamma), to two significant digits, so
        that the differences that matter span the scale whatever their size; 1 % of A's
        maximum when B equals A there.
        """
        if self._limit > 0:
            return self._limit
        c = self._comparison
        if c is None or not c.reference.max_gy > 0:
            return 1.0
        if self._auto_of is not c:  # once per comparison
            self._auto_of, self._auto_gy = c, _auto_limit_gy(c)
        gy = self._auto_gy
        return 100.0 * gy / c.reference.max_gy if self._percent else gy


def _auto_limit_gy(c: DoseComparison) -> float:
    dose = c.reference.dose_gy
    inside = (dose >= 0.1 * c.reference.max_gy) & np.isfinite(c.difference_gy)
    values = np.abs(c.difference_gy[inside])
    top = float(np.percentile(values, 99)) if values.size else 0.0
    if not top > 0:
        return 0.01 * c.reference.max_gy
    return float(f"{top:.2g}")
