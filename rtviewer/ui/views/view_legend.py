"""What a slice view's picture must carry to be read alone: isodose legend, scale bar, W/L.

Drawn in ViewBox pixels (not patient mm), so they keep their size when zooming, and
part of the view, so a screenshot carries them. The isodose levels in their line
colours with % and Gy go to the corner (bottom-left first) where they cover the least
of the anatomy, in two columns when one would cover it, and in a smaller font in two or
three columns where neither fits beside the anatomy (the side panes of a 1280x800
window), the levels' % alone as the last resort (Gy stay on the other views' legends);
bottom-right: a scale bar of a round length and the window width / level.
"""

from __future__ import annotations

from html import escape

from PySide6 import QtCore, QtGui, QtWidgets

from rtviewer.view.label_layout import LegendPlaces
from rtviewer.view.slice_plane import LegendEntry

__all__ = ["ViewLegend", "scale_bar_mm"]

#: Opacity of the legend's dark backing (0-255), and where it has to cover anatomy.
BACKING_ALPHA = 160
BACKING_OVER_ANATOMY_ALPHA = 90
#: The legend's font (pt), and the smaller one of its compact layouts (small panes).
LEGEND_POINT_SIZE, COMPACT_POINT_SIZE = 8, 7
#: Round lengths a scale bar may take (mm).
_LENGTHS_MM = (1, 2, 5, 10, 20, 50, 100, 200, 500)


def scale_bar_mm(mm_per_px: float, view_width_px: float) -> float:
    """The longest round length whose bar stays under a fifth of the view's width.

    Examples
    --------
    >>> scale_bar_mm(0.5, 600)   # 120 px available = 60 mm
    50
    >>> scale_bar_mm(2.0, 600)   # 240 mm
    200
    """
    limit = view_width_px / 5 * mm_per_px
    fitting = [length for length in _LENGTHS_MM if length <= limit]
    return fitting[-1] if fitting else _LENGTHS_MM[0]


#: Text colour of a legend row, and of a level the dose does not reach (greyed).
_TEXT, _NOT_REACHED = "#e6e6e6", "#8c8c8c"


def _line(entry: LegendEntry, text: str) -> str:
    """One legend line: a swatch in the entry's colour (a note has none), then ``text``.

    A level the dose does not reach keeps its colour, dimmed, and its text is greyed.
    """
    if not entry.swatch:
        return f"<span style='color: {_TEXT}'><i>{escape(text)}</i></span>"
    colour = (f"rgb{entry.rgb}" if entry.reached
              else "rgba({}, {}, {}, 90)".format(*entry.rgb))
    return (f"<span style='color: {colour}'>&#9644;</span>&nbsp;"
            f"<span style='color: {_TEXT if entry.reached else _NOT_REACHED}'>"
            f"{escape(text)}</span>")


def _columns_html(lines: list[str], columns: int) -> str:
    """The legend's lines top to bottom, then left to right, in ``columns`` columns."""
    per = -(-len(lines) // columns)
    cells = ["<br>".join(lines[k * per:(k + 1) * per]) for k in range(columns)]
    gap = "<td>&nbsp;&nbsp;</td>"
    return ("<table cellspacing='0' cellpadding='0'><tr>"
            + gap.join(f"<td>{cell}</td>" for cell in cells if cell) + "</tr></table>")


class ViewLegend:
    """The isodose legend, the scale bar and the W/L text of one slice view.

    Parameters
    ----------
    parent : QGraphicsItem
        The ViewBox (positions are its pixels).
    """

    def __init__(self, parent: QtWidgets.QGraphicsItem) -> None:
        self.isodoses = QtWidgets.QGraphicsTextItem(parent)
        self.isodoses.setZValue(21)
        # the same rows in two columns, shown instead where one column covers anatomy
        self.isodoses_wide = QtWidgets.QGraphicsTextItem(parent)
        self.isodoses_wide.setZValue(21)
        self.isodoses_wide.setVisible(False)
        # compact layouts for panes where neither fits beside the anatomy: the smaller
        # font in two and in three columns (the same rows, % and Gy), then the short
        # rows (the % alone) in two columns
        self.compact = (QtWidgets.QGraphicsTextItem(parent),
                        QtWidgets.QGraphicsTextItem(parent),
                        QtWidgets.QGraphicsTextItem(parent))
        for layout in self.compact:
            layout.setZValue(21)
            layout.setVisible(False)
        self.window = QtWidgets.QGraphicsSimpleTextItem(parent)
        self.window.setBrush(QtGui.QBrush(QtGui.QColor(230, 230, 230)))
        self.scale_text = QtWidgets.QGraphicsSimpleTextItem(parent)
        self.scale_text.setBrush(QtGui.QBrush(QtGui.QColor(230, 230, 230)))
        self.scale = QtWidgets.QGraphicsRectItem(parent)
        self.scale.setBrush(QtGui.QBrush(QtGui.QColor(230, 230, 230)))
        self.scale.setPen(QtGui.QPen(QtCore.Qt.PenStyle.NoPen))
        self.backing = QtWidgets.QGraphicsRectItem(parent)
        self.backing.setBrush(QtGui.QBrush(QtGui.QColor(0, 0, 0, BACKING_ALPHA)))
        self.backing.setPen(QtGui.QPen(QtCore.Qt.PenStyle.NoPen))
        self.backing.setZValue(20)
        for item in (self.window, self.scale_text, self.scale):
            item.setZValue(21)
        font = QtGui.QFont()
        font.setPointSize(LEGEND_POINT_SIZE)
        for text_item in self.text_items():
            text_item.setFont(font)
        small = QtGui.QFont()
        small.setPointSize(COMPACT_POINT_SIZE)
        for layout in self.compact:
            layout.setFont(small)
        self._mm_per_px = 0.0
        self._rows: list[LegendEntry] = []
        # the legend's places for the last sizes, view and taken boxes, and what the
        # items were last set to: a slice step moves only the anatomy (see place)
        self._places: tuple[tuple[object, ...], LegendPlaces] | None = None
        self._scale_for: tuple[object, ...] | None = None  # the scale bar's inputs
        self._placed: tuple[object, ...] | None = None

    def text_items(self) -> tuple[QtWidgets.QGraphicsTextItem
                                  | QtWidgets.QGraphicsSimpleTextItem, ...]:
        """The items with text (the presenter sets their font size)."""
        return (*self.layouts(), self.window, self.scale_text)

    def layouts(self) -> tuple[QtWidgets.QGraphicsTextItem, ...]:
        """The isodose legend in its layouts, most preferred first (one shown at a time)."""
        return (self.isodoses, self.isodoses_wide, *self.compact)

    def shown_isodoses(self) -> QtWidgets.QGraphicsTextItem:
        """The isodose legend item the view shows now (one of :meth:`layouts`)."""
        return next((item for item in self.layouts() if item.isVisible()), self.isodoses)

    def set_isodoses(self, rows: list[LegendEntry]) -> bool:
        """One line per level: a swatch in the line's colour and ``"95 %  57.0 Gy"``.

        An entry's ``short`` text (``"95 %"``) is the last compact layout's.

        Returns whether the legend changed (a slice step usually leaves it as it is:
        the HTML layout is then skipped).
        """
        if rows == self._rows:
            return False
        self._rows = list(rows)
        lines = [_line(entry, entry.text) for entry in rows]
        short = [_line(entry, entry.short or entry.text) for entry in rows]
        self.isodoses.setHtml("<br>".join(lines))
        for item, columns, texts in zip(self.layouts()[1:], (2, 2, 3, 2),
                                        (lines, lines, lines, short), strict=True):
            item.setHtml(_columns_html(texts, columns))
            item.setVisible(False)
        self.isodoses.setVisible(bool(rows))
        self._placed = None  # the visibility set here is the next placement's to decide
        return True

    def set_window(self, width: float, level: float, shown: bool) -> None:
        """``"W 400 / L 40"`` (image units), hidden without an image."""
        self.window.setText(f"W {width:.0f} / L {level:.0f}")
        self.window.setVisible(shown)

    def rects(self) -> list[QtCore.QRectF]:
        """The shown legend, scale bar and W/L rectangles in ViewBox pixels."""
        items = (self.backing, self.scale, self.scale_text, self.window)
        return [item.mapRectToParent(item.boundingRect()) for item in items
                if item.isVisible()]

    def place(self, rect: QtCore.QRectF, mm_per_px: float,
              taken: list[QtCore.QRectF] | None = None,
              anatomy: QtCore.QRectF | None = None) -> None:
        """Scale bar and W/L bottom-right of a view of ``rect``, then the isodose legend.

        The legend takes the layout and corner covering the least of ``anatomy`` (the
        content drawn, ViewBox pixels), then of ``taken`` (title, letters) and the scale
        bar (:func:`~rtviewer.view.label_layout.place_legend`).
        """
        self._place_scale(rect, mm_per_px)
        shown = bool(self._rows)
        items = self.layouts()
        sizes = tuple((item.boundingRect().width(), item.boundingRect().height())
                      for item in items)
        fixed = [*(taken or []), *(item.mapRectToParent(item.boundingRect())
                                   for item in (self.scale, self.scale_text, self.window)
                                   if item.isVisible())]
        bounds = (0.0, 0.0, rect.width(), rect.height())
        boxes = tuple((r.x(), r.y(), r.width(), r.height()) for r in fixed)
        # the places are measured against the taken boxes once; a slice step, which
        # moves only the anatomy, measures them against the anatomy alone
        if self._places is None or self._places[0] != (sizes, bounds, boxes):
            self._places = ((sizes, bounds, boxes), LegendPlaces(list(sizes), bounds, boxes))
        index, box = self._places[1].choose(
            None if anatomy is None else (anatomy.x(), anatomy.y(), anatomy.width(),
                                          anatomy.height()))
        backing = QtCore.QRectF(*(float(v) for v in box))
        # where no place is left beside the anatomy, it shows through a lighter backing
        over = anatomy is not None and anatomy.intersects(backing)
        placed = (shown, index, backing.getRect(), over)
        if placed == self._placed:  # as the items stand: nothing to set, nothing to repaint
            return
        self._placed = placed
        for k, item in enumerate(items):
            item.setVisible(shown and k == index)
            item.setPos(backing.x(), backing.y())
        self.backing.setRect(backing)
        self.backing.setVisible(shown)
        alpha = BACKING_OVER_ANATOMY_ALPHA if over else BACKING_ALPHA
        if self.backing.brush().color().alpha() != alpha:
            self.backing.setBrush(QtGui.QBrush(QtGui.QColor(0, 0, 0, alpha)))

    def _place_scale(self, rect: QtCore.QRectF, mm_per_px: float) -> None:
        # a slice step changes none of these (the W/L text only on a W/L drag, the
        # fonts in presenter mode): the items stay where they are
        key = (rect.width(), rect.height(), mm_per_px, self.window.text(),
               self.window.font(), self.scale_text.font())
        if key == self._scale_for:
            return
        self._scale_for = key
        self._mm_per_px = mm_per_px
        shown = mm_per_px > 0 and rect.width() > 0
        for item in (self.scale, self.scale_text):
            item.setVisible(shown)
        right = rect.width() - 10
        bottom = rect.height() - 8
        if shown:
            length_mm = scale_bar_mm(mm_per_px, rect.width())
            length_px = length_mm / mm_per_px
            self.scale.setRect(right - length_px, bottom - 3, length_px, 3)
            self.scale_text.setText(f"{length_mm:g} mm")
            text = self.scale_text.boundingRect()
            self.scale_text.setPos(right - length_px / 2 - text.width() / 2,
                                   bottom - 4 - text.height())
            bottom -= 6 + text.height()
        window = self.window.boundingRect()
        self.window.setPos(right - window.width(), bottom - window.height())
