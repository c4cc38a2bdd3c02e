"""Enhanced multi-frame MR built from the corpus FLAIR series, read frame by frame.

The 22 oblique FLAIR slices become one Enhanced MR Image file: frames in a shuffled
order, each with its own Plane Position and Plane Orientation and its own Pixel Value
Transformation (slope and intercept differ per frame, the stored values changed to
match), and no top-level position, orientation or spacing to fall back on. Read
back, it must give the very voxels and geometry of the original series.
"""

from __future__ import annotations

import copy

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from rtviewer.dicom.image import read_image_volume

FLAIR = "orthanc-tests/Brainix_MR/Flair"
SLOPES = (1.0, 0.5, 0.25)


def _enhanced(paths, out):
    slices = [pydicom.dcmread(p) for p in paths]
    order = np.random.default_rng(14).permutation(len(slices))
    ds = copy.deepcopy(slices[0])
    for keyword in ("ImagePositionPatient", "ImageOrientationPatient", "PixelSpacing",
                    "SliceThickness", "SpacingBetweenSlices", "SliceLocation",
                    "RescaleSlope", "RescaleIntercept", "InstanceNumber"):
        if keyword in ds:
            delattr(ds, keyword)
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.4.1"  # Enhanced MR Image Storage
    ds.SOPInstanceUID = generate_uid(entropy_srcs=["rtviewer enhanced flair"])
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    shared = Dataset()
    shared.PixelMeasuresSequence = Sequence([_measures(slices[0])])
    ds.SharedFunctionalGroupsSequence = Sequence([shared])
    frames, per_frame = [], []
    for n, k in enumerate(order):
        src = slices[k]
        slope, intercept = SLOPES[n % 3], -100.0 * (n % 4)
        item = Dataset()
        item.PlanePositionSequence = Sequence([_plane("ImagePositionPatient",
                                                      src.ImagePositionPatient)])
        item.PlaneOrientationSequence = Sequence([_plane("ImageOrientationPatient",
                                                         src.ImageOrientationPatient)])
        transform = Dataset()
        transform.RescaleSlope, transform.RescaleIntercept = slope, intercept
        transform.RescaleType = "US"
        item.PixelValueTransformationSequence = Sequence([transform])
        per_frame.append(item)
        stored = (src.pixel_array.astype(np.float64) - intercept) / slope
        assert np.array_equal(stored, np.rint(stored))
        frames.append(stored.astype(np.int16))
    ds.PerFrameFunctionalGroupsSequence = Sequence(per_frame)
    ds.NumberOfFrames = len(frames)
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
    ds.PixelData = np.stack(frames).tobytes()
    ds.save_as(out, enforce_file_format=True)
    return out


def _plane(keyword, values) -> Dataset:
    plane = Dataset()
    setattr(plane, keyword, [float(v) for v in values])
    return plane


def _measures(src) -> Dataset:
    measures = Dataset()
    measures.PixelSpacing = [float(v) for v in src.PixelSpacing]
    measures.SliceThickness = float(src.SliceThickness)
    return measures


@pytest.mark.corpus
def test_enhanced_frames_read_one_by_one_match_the_series(corpus, tmp_path):
    paths = sorted((corpus / FLAIR).glob("*.dcm"))
    series = read_image_volume(paths)
    enhanced = read_image_volume([_enhanced(paths, tmp_path / "enhanced_flair.dcm")])
    assert enhanced.grid.shape == series.grid.shape == (22, 288, 288)
    assert np.allclose(enhanced.grid.affine, series.grid.affine, atol=1e-6)
    assert np.array_equal(enhanced.voxels, series.voxels)
    # every frame kept its own rescale: three slopes, four intercepts
    rescales = {(r.slope, r.intercept) for r in enhanced.rescales}
    assert len(rescales) == 12
    assert "OBLIQUE_ORIENTATION" in {f.code for f in enhanced.findings}
