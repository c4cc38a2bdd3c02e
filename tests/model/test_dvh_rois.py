"""Which ROIs a DVH table holds (rtviewer dvh and the review report choose alike)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from rtviewer.model.dvh_rois import dvh_rois
from rtviewer.model.structure import Contour, ContourType, Roi, StructureSet


def _roi(number: int, name: str, kind: ContourType) -> Roi:
    square = np.array([[0, 0, 0], [10, 0, 0], [10, 10, 0], [0, 10, 0]], float)
    points = square if kind is ContourType.CLOSED_PLANAR else square[:1]
    return Roi(number, name, (255, 0, 0), None, (Contour(points, kind),))


STRUCTURES = StructureSet(Path("rs.dcm"), "1.2.3", "", None, (
    _roi(1, "PTV", ContourType.CLOSED_PLANAR), _roi(2, "Marker", ContourType.POINT),
    _roi(3, "Rectum", ContourType.CLOSED_PLANAR)))


def test_rois_with_a_closed_contour_in_file_order() -> None:
    chosen = dvh_rois(STRUCTURES)
    assert [r.name for r in chosen.rois] == ["PTV", "Rectum"]
    assert [r.name for r in chosen.without_closed_contour] == ["Marker"]
    assert chosen.unknown_names == ()
    (number, name, polygons), _ = chosen.polygons()
    assert (number, name, len(polygons), polygons[0].shape) == (1, "PTV", 1, (4, 3))


def test_names_choose_and_unknown_names_are_told() -> None:
    chosen = dvh_rois(STRUCTURES, ["Rectum", "Bladder", "Marker"])
    assert [r.name for r in chosen.rois] == ["Rectum"]
    assert chosen.unknown_names == ("Bladder", "Marker")  # a marker has no DVH
