"""The per-ROI planarity bound agrees with the per-contour check, contour by contour."""

from __future__ import annotations

import numpy as np

from rtviewer.dicom.contour_values import ContourValues
from rtviewer.dicom.structure_contours import (
    PLANARITY_TOLERANCE_MM,
    _flat_enough,
    _not_planar,
    _read_one,
)


def _item(points: np.ndarray) -> ContourValues:
    return ContourValues(points.reshape(-1).astype(np.float64), True, len(points),
                         "CLOSED_PLANAR", ())


def _contours() -> list[np.ndarray]:
    rng = np.random.default_rng(7)
    angle = np.linspace(0, 2 * np.pi, 40, endpoint=False)
    circle = np.column_stack([20 * np.cos(angle), 20 * np.sin(angle), np.zeros_like(angle)])
    axial = circle + [0, 0, 12.5]
    closed = np.vstack([axial, axial[:1]])  # the closing vertex repeated
    tilted = circle @ np.array([[1, 0, 0], [0, np.cos(0.3), np.sin(0.3)],
                                [0, -np.sin(0.3), np.cos(0.3)]])  # planar, oblique
    bumpy = axial.copy()
    bumpy[5, 2] += 0.2  # one point 0.2 mm off its plane
    just_flat = axial.copy()
    just_flat[3, 2] += 0.9 * PLANARITY_TOLERANCE_MM / np.sqrt(len(just_flat))
    noisy = axial + rng.normal(0, 0.01, axial.shape) * [0, 0, 1]
    return [axial, closed, tilted, bumpy, just_flat, noisy, circle[:3] + [0, 0, 2.0]]


def test_the_bound_never_calls_a_non_planar_contour_flat() -> None:
    contours = _contours()
    flat = _flat_enough([_item(c) for c in contours])
    assert flat is not None
    for points, bound in zip(contours, flat, strict=True):
        kept = points[:-1] if len(points) > 3 and np.array_equal(points[0], points[-1]) \
            else points
        if bound:
            assert not _not_planar(kept)
    assert flat.tolist() == [True, True, False, False, True, False, True]


def test_codes_are_those_of_the_contour_alone() -> None:
    contours = _contours()
    items = [_item(c) for c in contours]
    flat = _flat_enough(items)
    assert flat is not None
    for item, bound in zip(items, flat, strict=True):
        together, alone = _read_one(item, bool(bound)), _read_one(item)
        assert together[1] == alone[1]
        assert np.array_equal(together[0].points_mm, alone[0].points_mm)
    assert _read_one(items[3])[1] == ["CLOSED_CONTOUR_NOT_PLANAR"]


def test_no_bound_when_a_contour_is_not_finite_triplets() -> None:
    good = _item(_contours()[0])
    assert _flat_enough([good, ContourValues(np.array([1.0, np.nan, 2.0]), True, 1,
                                                     "POINT", ())]) is None
    assert _flat_enough([good, ContourValues(np.arange(4.0), True, 1, "POINT", ())]) is None
    assert _flat_enough([]) is None
