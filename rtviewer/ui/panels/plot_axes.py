"""A plot axis whose label space depends on its range only, never on what it showed before.

pyqtgraph's :class:`~pyqtgraph.AxisItem` widens its label space to the widest tick text
it has painted and narrows it only when the text gets more than 10 px narrower. A DVH
plot that was painted while its curves were still arriving (an empty plot's 0-1 range
labels "0.2", "0.4", ...) therefore kept a wider axis than one painted once at the end:
the same data made two different pictures depending on thread timing
(``docs/screenshots/raystation-srs.png`` changed between runs under load).
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6 import QtGui

__all__ = ["NOMINAL_AXIS_PX", "fit_tick_text_width"]

#: Axis length (px) at which the widest labels are looked for: pyqtgraph's finest tick
#: spacing at any length the panel reaches, so the space found is never too narrow.
NOMINAL_AXIS_PX = 800.0


def fit_tick_text_width(axis: pg.AxisItem, low: float, high: float) -> float:
    """Give a vertical axis the label space of the widest tick text of ``[low, high]``.

    The width is measured with the axis' tick font on pyqtgraph's own tick strings
    (every level of spacing at :data:`NOMINAL_AXIS_PX`), so it is a function of the
    range alone.

    Parameters
    ----------
    axis : pyqtgraph.AxisItem
        A ``left`` or ``right`` axis.
    low, high : float
        The axis range in data units (``high > low``).

    Returns
    -------
    float
        The label space set (px).
    """
    strings: list[str] = []
    if high > low:
        for spacing, values in axis.tickValues(low, high, NOMINAL_AXIS_PX):
            strings += axis.tickStrings(values, axis.scale, spacing)
    font = axis.style["tickFont"] or QtGui.QFont()
    metrics = QtGui.QFontMetricsF(font)
    width = max((metrics.horizontalAdvance(text) for text in strings), default=0.0)
    axis.setStyle(autoExpandTextSpace=False, tickTextWidth=int(width) + 2)
    return width
