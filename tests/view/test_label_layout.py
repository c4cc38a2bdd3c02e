"""Label and legend placement on a view (pixels, no Qt)."""

from __future__ import annotations

import numpy as np
import pytest

from rtviewer.view.label_layout import (
    LegendPlaces,
    boxes_intersect,
    overlap_area,
    place_label,
    place_legend,
)

VIEW = (0.0, 0.0, 400.0, 300.0)


def _inside(box, bounds=VIEW):
    x, y, w, h = box
    return x >= bounds[0] and y >= bounds[1] and x + w <= bounds[2] and y + h <= bounds[3]


def test_overlap_area_is_the_shared_rectangle():
    assert overlap_area([[0, 0, 10, 10]], [[5, 5, 10, 10]])[0, 0] == 25.0
    assert not boxes_intersect([0, 0, 10, 10], [10, 0, 5, 5])  # touching only
    assert boxes_intersect([0, 0, 10, 10], [9, 9, 5, 5])


def test_label_sits_beyond_its_anchor_on_the_outward_side():
    # anchor at (100, 150) pointing left: the box's right side is 3 px left of it
    box = place_label((100.0, 150.0), (-1.0, 0.0), (40.0, 12.0), VIEW)
    assert box.tolist() == pytest.approx([57.0, 144.0, 40.0, 12.0])


def test_labels_of_one_anchor_stack_without_overlapping_and_stay_in_the_view():
    # five beams whose axes start at one point (coplanar beams in a side view)
    taken: list[tuple[float, ...]] = []
    for _ in range(5):
        box = place_label((60.0, 150.0), (-1.0, 0.0), (50.0, 14.0), VIEW, taken)
        assert _inside(box)
        assert not any(boxes_intersect(box, other) for other in taken)
        taken.append(tuple(box))
    assert len(taken) == 5


def test_label_walks_round_the_anatomy_when_a_free_place_is_near():
    anatomy = (150.0, 100.0, 200.0, 150.0)
    # anchor on the anatomy's edge pointing into it (a beam seen end-on)
    box = place_label((150.0, 175.0), (1.0, 0.0), (40.0, 12.0), VIEW, avoid=anatomy)
    assert _inside(box) and not boxes_intersect(box, anatomy)


def test_a_full_view_still_gets_its_label_inside():
    taken = [(0.0, 0.0, 400.0, 300.0)]  # nothing free: the label is kept, inside
    box = place_label((390.0, 5.0), (1.0, -1.0), (50.0, 14.0), VIEW, taken)
    assert _inside(box)


def test_legend_goes_where_it_covers_no_anatomy_and_hides_no_text():
    scale_bar = (330.0, 270.0, 60.0, 20.0)
    title = (0.0, 0.0, 200.0, 24.0)
    # anatomy in the lower left, the scale bar bottom-right, the title top-left:
    # one column top-right
    index, box = place_legend([(80.0, 120.0), (160.0, 60.0)], VIEW, [scale_bar, title],
                              (0.0, 120.0, 200.0, 180.0))
    assert not boxes_intersect(box, (0.0, 120.0, 200.0, 180.0))
    assert not boxes_intersect(box, scale_bar) and not boxes_intersect(box, title)
    assert (index, box.tolist()) == (0, [314.0, 6.0, 80.0, 120.0])


def test_small_pane_takes_the_two_column_legend_below_the_anatomy():
    view = (0.0, 0.0, 200.0, 340.0)
    anatomy = (10.0, 100.0, 180.0, 140.0)  # bottom at 240 px
    sizes = [(90.0, 120.0), (180.0, 62.0)]
    index, box = place_legend(sizes, view, [], anatomy)
    assert index == 1 and not boxes_intersect(box, anatomy)
    assert box[1] + box[3] == pytest.approx(334.0)


def test_without_anatomy_the_legend_stays_bottom_left_in_one_column():
    index, box = place_legend([(80.0, 120.0), (160.0, 60.0)], VIEW)
    assert index == 0 and box.tolist() == [6.0, 174.0, 80.0, 120.0]
    assert np.all(np.isfinite(box))


def test_legend_slides_below_the_title_when_every_corner_is_taken_or_covers_anatomy():
    # a narrow side view: anatomy low in the middle, the title top-left, the letter H
    # top centre, the scale bar bottom-right
    view = (0.0, 0.0, 210.0, 340.0)
    title, letter_h = (6.0, 6.0, 120.0, 26.0), (98.0, 4.0, 12.0, 18.0)
    scale_bar = (140.0, 300.0, 64.0, 34.0)
    anatomy = (63.0, 170.0, 90.0, 110.0)
    index, box = place_legend([(105.0, 115.0), (200.0, 60.0)], view,
                              [title, letter_h, scale_bar], anatomy)
    for other in (title, letter_h, scale_bar, anatomy):
        assert not boxes_intersect(box, other)
    assert index == 0 and box.tolist() == [6.0, 34.0, 105.0, 115.0]  # under the title


def test_crowded_edge_labels_spread_over_the_free_view_rather_than_overlap():
    # eight beams whose axes start beside one another at the bottom edge, a legend
    # bottom-left: the bottom row is full, the later labels go further up
    legend = (0.0, 200.0, 120.0, 100.0)
    taken: list[tuple[float, ...]] = [legend]
    for k in range(8):
        box = place_label((150.0 + 5 * k, 295.0), (0.0, 1.0), (120.0, 16.0), VIEW, taken)
        assert _inside(box)
        assert not any(boxes_intersect(box, other) for other in taken)
        taken.append(tuple(box))


def test_a_full_view_says_so_when_asked_and_else_overlaps_least():
    taken = [(0.0, 0.0, 400.0, 150.0), (0.0, 160.0, 400.0, 140.0)]  # a 10 px gap
    assert place_label((200.0, 155.0), (0.0, 1.0), (50.0, 14.0), VIEW, taken,
                       require_free=True) is None
    box = place_label((200.0, 155.0), (0.0, 1.0), (50.0, 14.0), VIEW, taken)
    # over the gap, on the candidates' 14 px grid: at most 8 of its 14 px rows covered
    assert _inside(box)
    assert overlap_area(box, taken).sum() <= 8.0 * 50.0


def test_kept_legend_places_follow_the_anatomy_as_it_moves():
    # a slice step moves only the anatomy: the places measured once against the title
    # and scale bar choose the corner clear of each new anatomy box, as a fresh placement
    scale_bar = (330.0, 270.0, 60.0, 20.0)
    title = (0.0, 0.0, 200.0, 24.0)
    sizes = [(80.0, 120.0), (160.0, 60.0)]
    places = LegendPlaces(sizes, VIEW, [scale_bar, title])
    corners = {}
    for name, anatomy in {"lower left": (0.0, 120.0, 200.0, 180.0),
                          "right half": (200.0, 0.0, 200.0, 300.0),
                          "nothing": None}.items():
        index, box = places.choose(anatomy)
        fresh_index, fresh_box = place_legend(sizes, VIEW, [scale_bar, title], anatomy)
        assert (index, box.tolist()) == (fresh_index, fresh_box.tolist())
        assert anatomy is None or not boxes_intersect(box, anatomy)
        corners[name] = box.tolist()
    assert corners == {"lower left": [314.0, 6.0, 80.0, 120.0],  # top-right
                       "right half": [6.0, 174.0, 80.0, 120.0],  # bottom-left
                       "nothing": [6.0, 174.0, 80.0, 120.0]}


def test_legend_choice_rounds_the_covered_share_as_documented():
    # a place clear of the anatomy beats any over it, however little; among places
    # that all cover some, the share rounded to a tenth decides, then the order
    view = (0.0, 0.0, 100.0, 100.0)
    size = [(20.0, 20.0)]  # 400 px²; bottom-left (6, 74), bottom-right (74, 74)
    places = LegendPlaces(size, view, margin_px=6.0)
    # 16 px² (0.04) over the bottom-left place: the bottom-right one (clear) wins
    index, box = places.choose((22.0, 90.0, 4.0, 4.0))
    assert box.tolist() == [74.0, 74.0, 20.0, 20.0]
    # every corner covered: bottom-left 16 px² (0.04), bottom-right and top-left 8 px²
    # (0.02), top-right 4 px² (0.01): all round to 0.0, and the first place stays
    index, box = places.choose((22.0, 24.0, 54.0, 54.0))
    assert box.tolist() == [6.0, 74.0, 20.0, 20.0]


def test_stacked_lifts_put_labels_at_one_place_one_above_the_other():
    from rtviewer.view.label_layout import stacked_lifts

    # three labels at one anchor: 0, 1 and 2 heights up; one far away stays
    assert stacked_lifts([(0, 100), (0, 100), (0, 100), (500, 100)],
                         [(90, 20), (40, 20), (60, 20), (40, 20)]) == [0.0, 1.0, 2.0, 0.0]
    # a label 11 px below another goes up just onto its top edge: (11 + 20) / 20
    assert stacked_lifts([(0, 100), (0, 111)], [(118, 20), (36, 20)]) == [0.0, 1.55]
    # side by side: no lift
    assert stacked_lifts([(0, 100), (100, 100)], [(90, 20), (90, 20)]) == [0.0, 0.0]
