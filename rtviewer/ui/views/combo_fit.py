"""A combo box as wide as its longest item as drawn, within bounds: not as its characters."""

from __future__ import annotations

import math

from PySide6 import QtCore, QtWidgets

__all__ = ["fit_combo_width"]


def fit_combo_width(combo: QtWidgets.QComboBox, *, min_chars: int, max_chars: int) -> None:
    """Size ``combo`` for its longest item's text, measured in its font.

    Qt sizes a combo of policy ``AdjustToMinimumContentsLengthWithIcon`` for a number of
    widths of an ``x``; counting characters over-asks (the HDR demo's "TG-43 (rtviewer)
    from dwells", 28 characters, is 172 px of text in DejaVu Sans 9, not 196 px). The
    count is kept within ``[min_chars, max_chars]``: a vendor file name never widens the
    window.
    """
    if min_chars < 0 or max_chars < min_chars:
        raise ValueError(f"need 0 <= min_chars <= max_chars, got {min_chars}, {max_chars}")
    combo.setSizeAdjustPolicy(
        QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    if all(combo.itemIcon(i).isNull() for i in range(combo.count())):
        # no icons: no room for one (the policy's icon made the combo 24 px tall, 2 px
        # more than its neighbours, and 16 px wider than its text needs)
        combo.setIconSize(QtCore.QSize(0, 0))
    metrics = combo.fontMetrics()
    widest = max((metrics.horizontalAdvance(combo.itemText(i)) for i in range(combo.count())),
                 default=0)
    needed = math.ceil(widest / max(1, metrics.horizontalAdvance("x")))
    combo.setMinimumContentsLength(max(min_chars, min(max_chars, needed)))
