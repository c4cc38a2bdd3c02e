"""The structures cut together (and from the cached in-plane outlines) draw exactly what
each structure cut on its own draws; the isodose crop finds the whole plane's lines."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from skimage.measure import find_contours

from rtviewer.core.slab_model import build_slab_model
from rtviewer.dicom.structure import read_structure_set
from rtviewer.model.structure import Contour, ContourType, Roi, StructureSet
from rtviewer.view.contour_geometry import CutTable, RoiOutline, roi_outline
from rtviewer.view.cut_batch import batches
from rtviewer.view.isodose_lines import isodose_polylines_levels
from rtviewer.view.scene import Scene
from rtviewer.view.slab_section import tilted_section
from rtviewer.view.tilted_batch import TiltedBatch
from rtviewer.view.view_geometry import DisplayFrame, PlaneImage


def _assert_same(batched: RoiOutline, alone: RoiOutline, where: str) -> None:
    assert np.array_equal(batched.s, alone.s, equal_nan=True), where
    assert np.array_equal(batched.t, alone.t, equal_nan=True), where
    a, b = batched.fill_polygons, alone.fill_polygons
    assert len(a) == len(b), where
    for p, q in zip(a, b, strict=True):
        assert np.array_equal(p, q), where


def _depths(scene: Scene, axis: int) -> np.ndarray:
    """Slice positions through the contours, some exactly on a vertex (tangent cuts)."""
    bounds = scene.contour_bounds_mm()
    assert bounds is not None
    points = np.concatenate([c.points_mm for roi in scene.structures.rois
                             for c in roi.contours])
    on_vertex = points[:: max(1, len(points) // 7), axis]
    return np.concatenate([np.linspace(bounds[0, axis] - 1, bounds[1, axis] + 1, 23),
                           on_vertex])


@pytest.mark.corpus
@pytest.mark.parametrize("path", ["dicompyler-core/rtss.dcm",
                                  "slicerrt-eclipse-prostate/RS.1.2.246.352.71.4.2088656855."
                                  "2404649.20110920153449.dcm"])
def test_batched_cuts_equal_each_structure_cut_alone(corpus, path):
    # dicompyler-core: holes in BODY and Lt Lung, up to 7 contours on one slice
    scene = Scene(structures=read_structure_set(corpus / path))
    numbers = [roi.roi_number for roi in scene.structures.rois]
    drawn = 0
    for view, axis in (("sagittal", 0), ("coronal", 1)):
        _u, _v, n = scene.frame.axes(view)
        for depth in _depths(scene, axis) * float(n[axis]):
            batched = scene.structure_outlines(view, depth, numbers)
            for number in numbers:
                # no cached table: the one-structure cut as it was before batching
                alone = roi_outline(scene.slab_model(number), scene.frame, view, depth)
                _assert_same(batched[number], alone, f"{view} {depth} ROI {number}")
                drawn += not alone.empty
    assert drawn > 50  # the comparison saw real outlines, not only empty ones


@pytest.mark.corpus
def test_cached_axial_outlines_equal_the_plane_drawn_alone(corpus):
    scene = Scene(structures=read_structure_set(corpus / "dicompyler-core/rtss.dcm"))
    numbers = [roi.roi_number for roi in scene.structures.rois]
    for number in numbers:
        model = scene.slab_model(number)
        if model is None:
            continue
        for plane in model.planes:  # every plane, and again (from the cache)
            for depth in (plane.offset_mm, plane.offset_mm, plane.lower_mm):
                cached = scene.structure_outlines("axial", depth, [number])[number]
                alone = roi_outline(model, scene.frame, "axial", depth)
                _assert_same(cached, alone, f"ROI {number} at {depth}")


def _square(cx: float, half: float, z: float) -> np.ndarray:
    return np.array([[cx - half, -half, z], [cx + half, -half, z], [cx + half, half, z],
                     [cx - half, half, z]], dtype=float)


def test_two_structures_stacked_face_to_face_are_never_joined():
    # A's top slab face (z = 7.5) is B's bottom one: in the joined table they are
    # neighbouring rows, but each keeps its own end cap at 7.5
    below = build_slab_model([_square(0, 10, z) for z in (0.0, 3.0, 6.0)])
    above = build_slab_model([_square(0, 6, z) for z in (9.0, 12.0)])
    assert below is not None and above is not None
    items = [(1, below, CutTable.from_model(below)), (2, above, CutTable.from_model(above))]
    (batch,) = batches(items)
    frame = DisplayFrame.from_grid(None)
    u, v, n = frame.axes("sagittal")
    for depth in (-8.0, 0.0, 3.0, 6.0, 9.5):
        outlines = batch.outlines(u, v, n, depth, {1, 2})
        assert outlines is not None
        for number, model, table in items:
            alone = roi_outline(model, frame, "sagittal", depth, table)
            _assert_same(outlines[number], alone, f"{depth} ROI {number}")
    # at x = 0 both cut: A's cap at z = 7.5 is drawn (t = -z in the sagittal view)
    a = batch.outlines(u, v, n, 0.0, {1})
    assert a is not None and set(a) == {1}
    assert np.nanmin(a[1].t) == pytest.approx(-7.5)
    assert batch.outlines(*frame.axes("axial"), 3.0, {1, 2}) is None  # along the planes


def _tilted_rings(seed: int, count: int, tilt_deg: float = 30.0) -> list[np.ndarray]:
    """Wobbly rings on planes 3 mm apart, turned ``tilt_deg`` about x (patient mm)."""
    rng = np.random.default_rng(seed)
    c, s = np.cos(np.radians(tilt_deg)), np.sin(np.radians(tilt_deg))
    tilt = np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])
    angles = np.linspace(0, 2 * np.pi, 40, endpoint=False)
    cx, cy = rng.uniform(-40, 40, 2)
    radius = rng.uniform(8, 30)
    first = rng.uniform(-30, 0)
    return [np.column_stack([cx + radius * (1 + 0.2 * np.sin(3 * angles + z / 7)) * np.cos(angles),
                             cy + radius * (1 + 0.2 * np.sin(3 * angles + z / 7)) * np.sin(angles),
                             np.full(angles.size, z)]) @ tilt.T
            for z in first + 3.0 * np.arange(count)]


def test_tilted_structures_cut_together_equal_each_cut_alone():
    # a set drawn on a series tilted 30 degrees about x: the axial and coronal views cut
    # every structure through its slabs' bands (slab_section), all in one pass; two of
    # them stacked face to face keep their own end caps
    c, s = np.cos(np.radians(30.0)), np.sin(np.radians(30.0))
    tilt = np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])
    polygons = [_tilted_rings(seed, count) for seed, count in ((1, 12), (2, 5), (3, 20), (4, 1))]
    polygons += [[_square(0, 10, z) @ tilt.T for z in (0.0, 3.0, 6.0)],
                 [_square(0, 6, z) @ tilt.T for z in (9.0, 12.0)]]
    models = [build_slab_model(rings) for rings in polygons]
    assert all(model is not None for model in models)
    tables = [CutTable.from_model(model).section for model in models]
    batch = TiltedBatch.of(list(zip(models, tables, strict=True)))
    # the normals agree only to rounding: each structure keeps its own plane frame
    assert len({model.normal.tobytes() for model in models}) > 1
    frame = DisplayFrame.from_grid(None)
    vertices = np.concatenate([np.concatenate(rings) for rings in polygons])
    drawn = filled = 0
    for view in ("axial", "coronal"):
        u, v, n = frame.axes(view)
        on_vertex = (vertices[::37] @ n).tolist()  # tangent cuts through a vertex
        for depth in np.linspace(-60, 60, 41).tolist() + on_vertex:
            for wanted in ([0, 1, 2, 3, 4, 5], [1, 4]):
                mask = np.isin(np.arange(len(models)), wanted)
                sections = batch.sections(u, v, n, depth, mask)
                assert set(sections) <= set(wanted)
                for index in wanted:
                    segments, fill = tilted_section(models[index], tables[index], u, v, n,
                                                    depth)
                    where = f"{view} {depth} structure {index}"
                    if segments.size == 0:
                        assert index not in sections, where
                        continue
                    together, fill_together = sections[index]
                    assert np.array_equal(together, segments, equal_nan=True), where
                    alone_fill, batch_fill = fill(), fill_together()
                    assert len(alone_fill) == len(batch_fill), where
                    for p, q in zip(alone_fill, batch_fill, strict=True):
                        assert np.array_equal(p, q), where
                    drawn += 1
                    filled += len(alone_fill) > 0
    assert drawn > 200 and filled > 200  # real outlines and fills were compared


def test_a_scene_cuts_tilted_structures_as_each_alone():
    # the scene's batched path against each structure's section_outline, all views
    c, s = np.cos(np.radians(30.0)), np.sin(np.radians(30.0))
    tilt = np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])
    rois = [Roi(k + 1, f"R{k + 1}", (255, 0, 0), "ORGAN",
                tuple(Contour(p, ContourType.CLOSED_PLANAR) for p in _tilted_rings(k, 9)))
            for k in range(5)]
    rois.append(Roi(6, "Square", (0, 255, 0), "ORGAN",
                    tuple(Contour(_square(0, 10, z) @ tilt.T, ContourType.CLOSED_PLANAR)
                          for z in (0.0, 3.0))))
    scene = Scene(structures=StructureSet(path=Path("s"), sop_instance_uid="2", label="S",
                                          frame_of_reference_uid=None, rois=tuple(rois)))
    numbers = [roi.roi_number for roi in rois]
    drawn = 0
    for view in ("axial", "sagittal", "coronal"):
        for depth in np.linspace(-50, 50, 21):
            outlines = scene.structure_outlines(view, float(depth), numbers[1:])
            assert set(outlines) == set(numbers[1:])
            for number in numbers[1:]:
                alone = roi_outline(scene.slab_model(number), scene.frame, view, float(depth))
                _assert_same(outlines[number], alone, f"{view} {depth} ROI {number}")
                drawn += not alone.empty
    assert drawn > 60


def test_isodose_lines_from_one_crop_equal_the_whole_plane():
    rows, cols = np.mgrid[0:90, 0:120]
    dose = 60 * np.exp(-((rows - 50) ** 2 + (cols - 40) ** 2) / (2 * 15.0**2))
    dose += 20 * np.exp(-((rows - 20) ** 2 + (cols - 95) ** 2) / (2 * 6.0**2))  # a 2nd peak
    dose[:, :3] = np.nan  # outside the dose grid
    affine = np.array([[2.5, 0.0, -100.0], [0.0, 2.5, -50.0]])
    levels = (6.0, 18.0, 30.0, 57.0, 61.0)  # 61 Gy: above the maximum, no line
    lines = isodose_polylines_levels(PlaneImage(dose, affine), levels)
    for level, (s, t) in zip(levels, lines, strict=True):
        whole = find_contours(np.nan_to_num(dose, nan=0.0), level)
        expected = [np.column_stack([c[:, 1], c[:, 0], np.ones(len(c))]) @ affine.T
                    for c in whole]
        pieces = np.split(np.column_stack([s, t]), np.flatnonzero(np.isnan(s)))
        pieces = [p[~np.isnan(p[:, 0])] for p in pieces if np.isfinite(p).any()]
        assert len(pieces) == len(expected)
        for got, want in zip(pieces, expected, strict=True):
            np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)
    assert lines[-1][0].size == 0 and all(s.size for s, _t in lines[:-1])
    assert isodose_polylines_levels(PlaneImage(dose, affine), ()) == []
