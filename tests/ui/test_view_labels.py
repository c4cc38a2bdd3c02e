"""ViewLabels: letters on the edges, the title top-left, shrunk and moved down when narrow."""

from __future__ import annotations

import pytest
from PySide6 import QtCore, QtWidgets

from rtviewer.ui.views.view_labels import TITLE_POINT_SIZE, ViewLabels


@pytest.fixture
def labels():
    parent = QtWidgets.QGraphicsRectItem()
    made = ViewLabels(parent)
    for edge, text in {"left": "R", "right": "L", "top": "A", "bottom": "P"}.items():
        made.items[edge].setText(text)
    made.items["info"].setText("Sagittal  x = 72.5 mm")
    yield made
    del parent


def test_wide_view_title_on_the_first_line_at_full_size(labels):
    labels.place(QtCore.QRectF(0, 0, 800, 600))
    info = labels.items["info"]
    assert info.font().pointSize() == TITLE_POINT_SIZE
    assert info.pos() == QtCore.QPointF(8, 4)
    bottom = labels.items["bottom"]
    assert bottom.pos().y() == pytest.approx(600 - bottom.boundingRect().height() - 4)
    # the bar frames the title; beam labels keep out of it and out of the letters
    assert labels.title_bar.rect().contains(info.mapRectToParent(info.boundingRect()))
    assert len(labels.letter_rects()) == 4


def test_narrow_view_shrinks_the_title_and_puts_it_below_the_top_letter(labels):
    labels.place(QtCore.QRectF(0, 0, 140, 300))
    info, top = labels.items["info"], labels.items["top"]
    assert 7 <= info.font().pointSize() < TITLE_POINT_SIZE
    assert info.boundingRect().width() <= 140 - 16 or info.font().pointSize() == 7
    assert info.pos().y() == pytest.approx(top.boundingRect().height() + 8)
