"""The matRad CT + RTSTRUCT rewritten in every patient position reads back the same.

Two rewrites (see :mod:`factories.orientation`), each in HFS, HFP, FFS, FFP, HFDL, HFDR:

- *repositioned*: the anatomy stays at its patient coordinates while the table's image
  axes turn (pixel arrays transposed/flipped exactly): the same HU at the same patient
  point, contours unchanged, ROI volumes unchanged;
- *rigidly moved*: the stored pixels kept, positions, orientations and contour points
  rotated together: the HU at ``R (p - c) + c`` equals the original's at ``p``, and ROI
  volumes are unchanged.

The base keeps every second column so pixels are 4 mm × 2 mm (a swapped Pixel Spacing
pair would be caught).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from factories.orientation import POSITIONS, BaseSeries, load_base, repositioned, rigidly_moved

from rtviewer.core.structure_volume import structure_volume_cc
from rtviewer.dicom.image import read_image_volume
from rtviewer.dicom.structure import read_structure_set
from rtviewer.model.image import ImageVolume

pytestmark = [pytest.mark.corpus, pytest.mark.slow]

_CENTRE_MM = np.array([12.5, -31.0, 7.0])


@pytest.fixture(scope="module")
def base(corpus: Path) -> BaseSeries:
    folder = corpus / "matrad-dicomexport"
    return load_base(sorted(folder.glob("ct_slice_*.dcm")), folder / "RTstruct.dcm")


@pytest.fixture(scope="module")
def reference(base: BaseSeries, tmp_path_factory: pytest.TempPathFactory
              ) -> tuple[ImageVolume, dict[str, float]]:
    """The HFS rewrite read back: the volume and each ROI's volume in cc."""
    paths, rtstruct = repositioned(base, "HFS", tmp_path_factory.mktemp("HFS"))
    volume = read_image_volume(paths)
    rois = {r.name: r.volume_cc for r in read_structure_set(rtstruct).rois}
    return volume, rois


def _sample_points(volume: ImageVolume, n: int = 4000) -> np.ndarray:
    """Voxel centres of the reference volume (seeded), in patient mm."""
    rng = np.random.default_rng(20261126)
    shape = np.array(volume.voxels.shape)  # k, j, i
    kji = rng.integers(0, shape, size=(n, 3))
    return volume.grid.index_to_patient(kji[:, ::-1].astype(float))


def _hu_at(volume: ImageVolume, xyz_mm: np.ndarray) -> np.ndarray:
    """Values at patient points that must be voxel centres of ``volume``."""
    ijk = volume.grid.patient_to_index(xyz_mm)
    assert np.allclose(ijk, np.round(ijk), atol=1e-4), "points are not voxel centres"
    i, j, k = np.round(ijk).astype(int).T
    return volume.voxels[k, j, i]


def test_reference_matches_the_corpus_volume(base: BaseSeries, reference, corpus: Path) -> None:
    """The HFS rewrite holds exactly the corpus CT's HU at its voxel centres."""
    volume, rois = reference
    original = read_image_volume(sorted((corpus / "matrad-dicomexport").glob("ct_slice_*.dcm")))
    points = _sample_points(volume)
    np.testing.assert_array_equal(_hu_at(volume, points), _hu_at(original, points))
    assert volume.grid.spacing_mm == pytest.approx((4.0, 2.0, 3.0))
    assert len(rois) == 3 and all(v is not None and v > 0 for v in rois.values())
    hu = _hu_at(volume, points)
    assert hu.min() < hu.max(), "a constant phantom would prove nothing"


@pytest.mark.parametrize("position", sorted(set(POSITIONS) - {"HFS"}))
def test_repositioned_patient_same_hu_and_volumes(position: str, base: BaseSeries, reference,
                                                  tmp_path: Path) -> None:
    """Same anatomy, other table axes: same HU at the same patient points."""
    ref_volume, ref_rois = reference
    paths, rtstruct = repositioned(base, position, tmp_path)
    volume = read_image_volume(paths)
    assert volume.patient_position == position
    table_axes = POSITIONS[position]
    np.testing.assert_allclose(volume.grid.directions, table_axes, atol=1e-9)
    points = _sample_points(ref_volume)
    np.testing.assert_array_equal(_hu_at(volume, points), _hu_at(ref_volume, points))
    rois = {r.name: r.volume_cc for r in read_structure_set(rtstruct).rois}
    assert rois == pytest.approx(ref_rois, rel=1e-9)


@pytest.mark.parametrize("position", sorted(set(POSITIONS) - {"HFS"}))
def test_rigidly_moved_data_set_same_hu_and_volumes(position: str, base: BaseSeries,
                                                   reference, tmp_path: Path) -> None:
    """Pixels kept, geometry and contours rotated: HU follow the rotation, volumes stay."""
    ref_volume, ref_rois = reference
    rotation = POSITIONS[position]
    paths, rtstruct = rigidly_moved(base, position, _CENTRE_MM, tmp_path)
    volume = read_image_volume(paths)
    points = _sample_points(ref_volume)
    moved = (points - _CENTRE_MM) @ rotation.T + _CENTRE_MM
    np.testing.assert_array_equal(_hu_at(volume, moved), _hu_at(ref_volume, points))
    structure_set = read_structure_set(rtstruct)
    rois = {r.name: r.volume_cc for r in structure_set.rois}
    assert rois == pytest.approx(ref_rois, rel=1e-6)
    for roi in structure_set.rois:  # the reader's number is the one volume function's
        assert roi.volume_cc == pytest.approx(structure_volume_cc(roi.closed_polygons_mm()))
