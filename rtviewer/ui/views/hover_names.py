"""Names of the drawn structures under the cursor, written beside it on a slice view.

The status bar's readout names them too, but the eye is on the picture: a label next
to the pointer, each name in its structure's colour, says which outline the pointer is
in without looking away. Only structures drawn on the view (the visible ones) are
named, as the structure overlay's ``drawn_at`` finds them: the containment of its
hit test, the one the readout and the DVH use.
"""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg

__all__ = ["HoverNames", "hover_html"]

#: Pixels between the pointer and the label's corner (clear of the cursor's arrow).
_OFFSET_PX = 14


def hover_html(drawn: list[tuple[str, tuple[int, int, int]]]) -> str:
    """Rich text of ``(name, colour)`` pairs, one name a line in its colour ('' if none).

    Examples
    --------
    >>> hover_html([("PTV", (0, 128, 255)), ("A<B", (255, 0, 0))])
    "<span style='color:#0080ff'>PTV</span><br><span style='color:#ff0000'>A&lt;B</span>"
    """
    return "<br>".join(f"<span style='color:#{r:02x}{g:02x}{b:02x}'>{html.escape(name)}</span>"
                       for name, (r, g, b) in drawn)


class HoverNames:
    """A text item on a view box that follows the pointer with the names under it."""

    def __init__(self, view_box: pg.ViewBox) -> None:
        self.vb = view_box
        self.item = pg.TextItem(anchor=(0.0, 0.0), fill=pg.mkBrush(0, 0, 0, 170))
        self.item.setZValue(60)
        self.item.hide()
        view_box.addItem(self.item, ignoreBounds=True)

    @property
    def text(self) -> str:
        """The label's rich text ('' when hidden)."""
        return self.item.textItem.toHtml() if self.item.isVisible() else ""

    def show(self, st: np.ndarray, rich_text: str) -> None:
        """Put ``rich_text`` beside view point ``st`` (mm), or hide the label when empty."""
        if not rich_text:
            self.item.hide()
            return
        pixel = self.vb.viewPixelSize()
        self.item.setHtml(f"<div style='font-size:9pt'>{rich_text}</div>")
        self.item.setPos(float(st[0]) + _OFFSET_PX * pixel[0],
                         float(st[1]) + _OFFSET_PX * pixel[1])
        self.item.show()

    def hide(self) -> None:
        """No label (the pointer left the view or the scene changed)."""
        self.item.hide()
