"""Where text boxes go on a view: beside their anchor, clear of each other and the anatomy.

Boxes are ``(x, y, width, height)`` in screen pixels, ``y`` down (a ViewBox's own
pixels). No Qt: the slice views map their items to these boxes and back.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["LegendPlaces", "boxes_intersect", "overlap_area", "place_label",
           "place_legend", "stacked_lifts"]

FloatArray = NDArray[np.float64]

#: Cost of covering the whole anatomy box with a label, against one pixel of distance
#: from the anchor: a label walks a long way round before it covers the patient.
_AVOID_WEIGHT = 2000.0
#: Gap between a label and its anchor (px).
_GAP_PX = 3.0


def overlap_area(boxes: ArrayLike, other: ArrayLike) -> FloatArray:
    """Area (px²) each of ``boxes`` ``(N, 4)`` shares with each of ``other`` ``(M, 4)``: ``(N, M)``.

    Examples
    --------
    >>> overlap_area([[0, 0, 10, 10]], [[5, 5, 10, 10], [20, 0, 5, 5]]).tolist()
    [[25.0, 0.0]]
    """
    a = np.asarray(boxes, dtype=np.float64).reshape(-1, 1, 4)
    b = np.asarray(other, dtype=np.float64).reshape(1, -1, 4)
    w = np.minimum(a[..., 0] + a[..., 2], b[..., 0] + b[..., 2]) - np.maximum(a[..., 0], b[..., 0])
    h = np.minimum(a[..., 1] + a[..., 3], b[..., 1] + b[..., 3]) - np.maximum(a[..., 1], b[..., 1])
    result: FloatArray = np.clip(w, 0.0, None) * np.clip(h, 0.0, None)
    return result


def boxes_intersect(a: ArrayLike, b: ArrayLike, *, tolerance_px: float = 0.01) -> bool:
    """Whether two boxes share an area.

    Touching edges do not count, nor an overlap under ``tolerance_px`` (a round trip
    through view coordinates leaves one of about 1e-13 px between stacked labels).
    """
    x, y, w, h = (float(v) for v in np.asarray(a, dtype=np.float64))
    inner = (x + tolerance_px, y + tolerance_px, w - 2 * tolerance_px, h - 2 * tolerance_px)
    return bool(overlap_area(inner, b)[0, 0] > 0.0)


def stacked_lifts(anchors: ArrayLike, sizes: ArrayLike) -> list[float]:
    """How far up (in its own heights) each label goes so that none covers another.

    Each label's box has its bottom-left corner at its anchor ``(x, y)`` (pixels, ``y``
    down) and its ``(width, height)`` from ``sizes``. In the given order, a label keeps
    its place unless it would cover one already placed; then it goes up just enough to
    sit on the lowest top edge above which it is free.

    Examples
    --------
    >>> stacked_lifts([(10, 50), (10, 50), (200, 50)], [(80, 14), (40, 14), (40, 14)])
    [0.0, 1.0, 0.0]
    >>> stacked_lifts([(10, 50), (12, 57)], [(80, 14), (40, 14)])  # 7 px lower: 1.5 up
    [0.0, 1.5]
    """
    points = np.asarray(anchors, dtype=np.float64).reshape(-1, 2)
    extents = np.asarray(sizes, dtype=np.float64).reshape(-1, 2)
    placed: list[tuple[float, float, float, float]] = []
    shifts = []
    for (x, y), (width, height) in zip(points.tolist(), extents.tolist(), strict=True):
        # up by 0, or so that its bottom edge meets a placed box's top edge (the highest
        # of those is always free: every placed box is below it)
        candidates = sorted({0.0, *(float(y - top) for _x, top, _w, _h in placed
                                    if top < y)})
        up = next(c for c in candidates
                  if not any(boxes_intersect((x, y - height - c, width, height), box)
                             for box in placed))
        placed.append((float(x), float(y - height - up), float(width), float(height)))
        shifts.append(float(up / height) if height > 0 else 0.0)
    return shifts


def place_label(anchor: ArrayLike, outward: ArrayLike, size: tuple[float, float],
                bounds: ArrayLike, taken: ArrayLike = (), avoid: ArrayLike | None = None,
                *, reach_px: float = 250.0, require_free: bool = False) -> FloatArray | None:
    """A box for a label of ``size`` beside ``anchor``, on its ``outward`` side.

    Candidates run outwards from the anchor (the box's near side at the point, a few
    pixels off) and sideways from that line, one label height at a time; when none of
    those is free, anywhere in the view on a grid of one label height. A candidate
    is moved inside ``bounds`` and must overlap no ``taken`` box; among those, the cheapest
    is the one least over ``avoid`` (the anatomy) and then nearest the anchor.

    Parameters
    ----------
    anchor : array_like, (2,)
        Where the label belongs (px), e.g. where a beam's axis starts.
    outward : array_like, (2,)
        Direction away from what the label names (need not be normalised; zero: up).
    size : (float, float)
        Label width and height (px).
    bounds : array_like, (4,)
        The view's box; labels stay wholly inside.
    taken : array_like, (M, 4)
        Boxes no label may overlap (other labels, the title, the legend).
    avoid : array_like, (4,), optional
        The anatomy's box: covered only where no free place outside it is near.
    reach_px : float, keyword-only
        How far from the anchor candidates go.
    require_free : bool, keyword-only
        Return None when no candidate is free (the caller may shorten the label).

    Returns
    -------
    ndarray, (4,) or None
        The box; when no candidate is free, the one overlapping the others least (a
        label over another beats a missing one), or None with ``require_free``.
    """
    w, h = (float(v) for v in size)
    x0, y0, bw, bh = (float(v) for v in np.asarray(bounds, dtype=np.float64))
    direction = np.asarray(outward, dtype=np.float64)
    norm = float(np.hypot(*direction))
    direction = direction / norm if norm > 1e-9 else np.array([0.0, -1.0])
    # the near side of the box touches the point: the box's half extent along direction
    reach = 0.5 * (w * abs(direction[0]) + h * abs(direction[1])) + _GAP_PX
    distance = np.arange(0.0, reach_px, max(4.0, 0.5 * h))
    side = np.array([0.0, *(k * s for k in range(1, 9) for s in (1.0, -1.0))])
    across = np.array([-direction[1], direction[0]])
    centre = (np.asarray(anchor, dtype=np.float64)[None, None, :]
              + (distance[:, None, None] + reach) * direction
              + side[None, :, None] * h * across)
    centre = centre.reshape(-1, 2)
    anchor_px = np.asarray(anchor, dtype=np.float64)
    taken_boxes = np.asarray(taken, dtype=np.float64).reshape(-1, 4)
    box = _cheapest(centre, (w, h), (x0, y0, bw, bh), anchor_px, taken_boxes, avoid)
    grid = np.empty((0, 2))
    if box is None:
        # then anywhere in the view (a grid of one label height): a label far from its
        # anchor beats one over another label
        gx, gy = np.meshgrid(np.arange(x0 + w / 2, x0 + bw - w / 2 + 1e-9, h),
                             np.arange(y0 + h / 2, y0 + bh - h / 2 + 1e-9, h))
        grid = np.column_stack([gx.ravel(), gy.ravel()])
        box = _cheapest(grid, (w, h), (x0, y0, bw, bh), anchor_px, taken_boxes, avoid)
    if box is None and not require_free:
        box = _least_covering(np.concatenate([centre, grid]), (w, h), (x0, y0, bw, bh),
                              taken_boxes)
    return box


def _least_covering(centre: FloatArray, size: tuple[float, float],
                    bounds: tuple[float, float, float, float], taken: FloatArray
                    ) -> FloatArray:
    """The box (centred on one of ``centre``, inside ``bounds``) sharing least with ``taken``."""
    w, h = size
    x0, y0, bw, bh = bounds
    x = np.clip(centre[:, 0] - w / 2, x0, max(x0, x0 + bw - w))
    y = np.clip(centre[:, 1] - h / 2, y0, max(y0, y0 + bh - h))
    boxes = np.column_stack([x, y, np.full(len(x), w), np.full(len(x), h)])
    shared = overlap_area(boxes, taken).sum(axis=1)
    best: FloatArray = boxes[int(np.argmin(shared))]
    return best


def _cheapest(centre: FloatArray, size: tuple[float, float],
              bounds: tuple[float, float, float, float], anchor: FloatArray,
              taken: FloatArray, avoid: ArrayLike | None) -> FloatArray | None:
    """The free box (centred on one of ``centre``, moved inside ``bounds``) of least cost."""
    w, h = size
    x0, y0, bw, bh = bounds
    # a candidate past the view's edge is moved back inside (an anchor near the edge
    # has its label beside it, over the line's end, rather than none)
    x = np.clip(centre[:, 0] - w / 2, x0, max(x0, x0 + bw - w))
    y = np.clip(centre[:, 1] - h / 2, y0, max(y0, y0 + bh - h))
    boxes = np.column_stack([x, y, np.full(len(x), w), np.full(len(x), h)])
    free = ~(overlap_area(boxes, taken) > 0.0).any(axis=1) if len(taken) else \
        np.ones(len(boxes), bool)
    if not free.any():
        return None
    boxes = boxes[free]
    cost = np.hypot(boxes[:, 0] + w / 2 - anchor[0], boxes[:, 1] + h / 2 - anchor[1])
    if avoid is not None:
        cost = cost + _AVOID_WEIGHT * overlap_area(boxes, avoid)[:, 0] / (w * h)
    best: FloatArray = boxes[int(np.argmin(cost))]
    return best

def place_legend(sizes: list[tuple[float, float]], bounds: ArrayLike, taken: ArrayLike = (),
                 avoid: ArrayLike | None = None, *, margin_px: float = 6.0
                 ) -> tuple[int, FloatArray]:
    """Which layout of a legend and which corner of the view cover the least.

    ``sizes`` are the legend's ``(width, height)`` in its layouts, most preferred first
    (one column, then two, ...). Each is tried in the four corners (bottom-left first),
    then at the view's sides just below or above a ``taken`` box. The choice fits the
    view (unless no layout does), hides the least of ``taken`` (the title, letters,
    scale bar: text over text is unreadable), then covers the least of ``avoid`` (the
    anatomy, seen through the legend's translucent backing), then prefers the earlier
    layout and place. The same as ``LegendPlaces(sizes, bounds, taken).choose(avoid)``.

    Returns
    -------
    (int, ndarray (4,))
        The index into ``sizes`` and the legend's box.

    Examples
    --------
    A tall legend beside anatomy in the lower left of a 300×300 view goes right:

    >>> index, box = place_legend([(80, 200)], (0, 0, 300, 300), avoid=(0, 120, 150, 180))
    >>> index, box.tolist()
    (0, [214.0, 94.0, 80.0, 200.0])
    """
    return LegendPlaces(sizes, bounds, taken, margin_px=margin_px).choose(avoid)


class LegendPlaces:
    """The places a legend may take in a view, measured once against the ``taken`` boxes.

    A slice step changes only the anatomy a legend should keep clear of: the view
    keeps this while the legend's sizes, the view and the taken boxes stay, and
    :meth:`choose` measures the places against the new anatomy alone. Parameters as
    :func:`place_legend`.
    """

    def __init__(self, sizes: list[tuple[float, float]], bounds: ArrayLike,
                 taken: ArrayLike = (), *, margin_px: float = 6.0) -> None:
        assert sizes, "place_legend needs at least one size"
        x0, y0, bw, bh = (float(v) for v in np.asarray(bounds, dtype=np.float64))
        taken_boxes = np.asarray(taken, dtype=np.float64).reshape(-1, 4)
        # areas compared in units of the first layout's (the layouts hold the same rows)
        self.unit = max(sizes[0][0] * sizes[0][1], 1.0)
        boxes, self.layouts, self.fixed_keys = [], [], []
        for index, (w, h) in enumerate(sizes):
            left, right = x0 + margin_px, x0 + bw - margin_px - w
            top, bottom = y0 + margin_px, y0 + bh - margin_px - h
            # the corners first, then just below (or above) a title or letter
            below = [float(b[1] + b[3] + 2.0) for b in taken_boxes
                     if b[1] + b[3] + 2.0 <= bottom]
            above = [float(b[1] - 2.0 - h) for b in taken_boxes if b[1] - 2.0 - h >= top]
            places = [(left, bottom), (right, bottom), (left, top), (right, top),
                      *((x, y) for y in (*below, *above) for x in (left, right))]
            layout = np.column_stack([np.array(places, dtype=np.float64).reshape(-1, 2),
                                      np.full(len(places), w), np.full(len(places), h)])
            hidden_all = (overlap_area(layout, taken_boxes).sum(axis=1) if len(taken_boxes)
                          else np.zeros(len(layout)))
            # a layout wider or taller than the view only where none fits; an overlap
            # of a few per cent is not worth a less usual place
            too_big = w > bw - 2 * margin_px or h > bh - 2 * margin_px
            self.fixed_keys += [(too_big, round(float(hidden) / self.unit, 2))
                                for hidden in hidden_all]
            self.layouts += [index] * len(layout)
            boxes.append(layout)
        #: every place of every layout, ``(N, 4)`` px, in order of preference
        self.boxes: FloatArray = np.concatenate(boxes)
        # a place of a better (fits, hides less) key wins whatever the anatomy: only the
        # places of the least such key are measured against it (in their order)
        least = min(self.fixed_keys)
        self._contenders = np.array([k for k, key in enumerate(self.fixed_keys)
                                     if key == least])
        self._near = self.boxes[self._contenders, :2]
        self._far = self._near + self.boxes[self._contenders, 2:]

    def choose(self, avoid: ArrayLike | None = None) -> tuple[int, FloatArray]:
        """The layout index and box covering the least of ``avoid`` (the anatomy's box)."""
        if avoid is None:
            best = int(self._contenders[0])
            return self.layouts[best], self.boxes[best]
        # overlap_area of the contenders with the one box, without its reshaping
        x, y, w, h = (float(v) for v in np.asarray(avoid, dtype=np.float64))
        low = np.maximum(self._near, (x, y))
        high = np.minimum(self._far, (x + w, y + h))
        shared = np.maximum(high - low, 0.0)
        covered = shared[:, 0] * shared[:, 1] / self.unit
        # the key rounds the covered share with round() (to 0.1); numpy's rounding may
        # differ from it by one step, so round() decides among the places within two
        # steps of numpy's least (those outside cannot win)
        rough = np.round(covered, 1)
        near = np.flatnonzero(rough <= rough.min() + 0.25)
        # a place clear of the anatomy beats any over it, however little (a compact
        # layout clear of it beats a larger one over its edge)
        exact = [(value > 0.0, round(value, 1)) for value in covered[near].tolist()]
        best = int(self._contenders[near[min(range(len(near)), key=exact.__getitem__)]])
        return self.layouts[best], self.boxes[best]
