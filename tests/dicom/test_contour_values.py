"""Contour Sequence items walked from their raw bytes equal pydicom's reading of them."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian
from testsupport import corpus_root

from rtviewer.dicom import contour_values as module
from rtviewer.dicom.contour_values import contour_values
from rtviewer.dicom.files import read_dataset
from rtviewer.dicom.structure import read_structure_set
from rtviewer.dicom.values import items


def _contour(points: list[float], uids: tuple[str, ...] = ("1.2.3.4",), kind="CLOSED_PLANAR",
             undefined: bool = False) -> Dataset:
    item = Dataset()
    images = []
    for uid in uids:
        image = Dataset()
        image.ReferencedSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
        image.ReferencedSOPInstanceUID = uid
        image.is_undefined_length_sequence_item = undefined
        images.append(image)
    item.ContourImageSequence = Sequence(images)
    item["ContourImageSequence"].is_undefined_length = undefined
    item.ContourGeometricType = kind
    item.NumberOfContourPoints = len(points) // 3
    item.ContourNumber = 1
    item.ContourData = [f"{v:.3f}" for v in points]
    item.is_undefined_length_sequence_item = undefined
    return item


def _square(z: float, half: float = 10.0) -> list[float]:
    return [v for x, y in ((-half, -half), (half, -half), (half, half), (-half, half))
            for v in (x, y, z)]


def _write(path: Path, rois: list[list[Dataset]], syntax: str) -> Path:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.481.3"
    meta.MediaStorageSOPInstanceUID = "1.2.3.9"
    meta.TransferSyntaxUID = syntax
    ds = FileDataset(str(path), {}, file_meta=meta, preamble=b"\0" * 128)
    ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, "1.2.3.9"
    ds.Modality = "RTSTRUCT"
    ds.StructureSetROISequence = Sequence([_roi(n) for n in range(1, len(rois) + 1)])
    contours = []
    for number, contour_items in enumerate(rois, start=1):
        rc = Dataset()
        rc.ReferencedROINumber = number
        rc.ROIDisplayColor = [255, 0, 0]
        rc.ContourSequence = Sequence(contour_items)
        contours.append(rc)
    ds.ROIContourSequence = Sequence(contours)
    ds.save_as(path, enforce_file_format=True)
    return path


def _roi(number: int) -> Dataset:
    roi = Dataset()
    roi.ROINumber, roi.ROIName = number, f"R{number}"
    return roi


def _both_ways(path: Path) -> list[tuple[list, list]]:
    ds, _ = read_dataset(path, stop_before_pixels=True)
    notes: list = []
    return [(contour_values(item, notes), [module._from_dataset(c)
                                           for c in items(item, "ContourSequence", notes)])
            for item in items(ds, "ROIContourSequence", notes)]


def _same(walked, parsed) -> None:
    assert len(walked) == len(parsed)
    for a, b in zip(walked, parsed, strict=True):
        assert (a.data is None) == (b.data is None)
        if a.data is not None:
            assert np.array_equal(a.data, b.data, equal_nan=True)
        if a.data is None or not np.all(np.isfinite(a.data)):
            continue  # dropped for its data: the other values are never used
        assert (a.data_present, a.declared_points, a.geometric_type, a.image_uids) == \
            (b.data_present, b.declared_points, b.geometric_type, b.image_uids)
        assert [f.message for f in a.notes] == [f.message for f in b.notes]


@pytest.mark.parametrize("syntax", [ImplicitVRLittleEndian, ExplicitVRLittleEndian])
@pytest.mark.parametrize("undefined", [False, True])
def test_clean_contours_are_walked_from_their_bytes(tmp_path, monkeypatch, syntax, undefined):
    rois = [[_contour(_square(z), (f"1.2.3.{z:.0f}",), undefined=undefined)
             for z in (0.0, 2.5, 5.0)],
            [_contour(_square(0.0, 3.0), ("1.2.3.7", "1.2.3.8"), undefined=undefined),
             _contour([1.0, 2.0, 3.0], (), kind="POINT", undefined=undefined)]]
    path = _write(tmp_path / "rs.dcm", rois, syntax)
    pairs = _both_ways(path)
    for walked, parsed in pairs:
        _same(walked, parsed)
    assert pairs[1][0][0].image_uids == ("1.2.3.7", "1.2.3.8")
    assert pairs[0][0][2].data[2] == 5.0 and pairs[1][0][1].geometric_type == "POINT"

    def refuse(item):  # the walk must not need pydicom's per-item path
        raise AssertionError("parsed by pydicom")

    monkeypatch.setattr(module, "_from_dataset", refuse)
    roi = read_structure_set(path).rois[0]
    assert [c.referenced_sop_instance_uids for c in roi.contours] == \
        [("1.2.3.0",), ("1.2.3.2",), ("1.2.3.5",)]
    assert roi.volume_cc == pytest.approx(20 * 20 * 7.5 / 1000)


@pytest.mark.parametrize(("data", "code"), [
    (["1.0", "nan", "0"] * 3, "CONTOUR_DATA_NOT_FINITE"),
    (["1.0", "", "0"] * 3, "CONTOUR_DATA_NOT_NUMERIC"),
    (["1.0", "2.0"], "CLOSED_CONTOUR_TOO_FEW_POINTS"),
])
def test_malformed_contour_data_takes_pydicom_path_with_the_same_findings(tmp_path, data, code):
    bad = _contour(_square(0.0))
    with warnings.catch_warnings():  # pydicom warns about the invalid DS it is given
        warnings.simplefilter("ignore")
        bad.ContourData = data
        path = _write(tmp_path / "rs.dcm", [[_contour(_square(2.5)), bad]],
                      ImplicitVRLittleEndian)
        for walked, parsed in _both_ways(path):
            _same(walked, parsed)
    roi = read_structure_set(path).rois[0]
    assert code in {f.code for f in roi.findings}


def _structure_sets() -> list[Path]:
    root = corpus_root()
    if not root.is_dir():
        return []
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        try:
            ds, _ = read_dataset(path, stop_before_pixels=True, specific_tags=["Modality"])
        except Exception:  # not DICOM
            continue
        if str(ds.get("Modality", "")) == "RTSTRUCT" and "STRUCTURES" not in str(path):
            found.append(path)
    return found


@pytest.mark.corpus
def test_every_corpus_structure_set_reads_the_same_both_ways(corpus):
    files = _structure_sets()
    assert len(files) >= 10
    for path in files:
        for walked, parsed in _both_ways(path):
            _same(walked, parsed)
