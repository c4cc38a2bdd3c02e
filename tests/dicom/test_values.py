"""The one way a reader reads a DICOM value (:mod:`rtviewer.dicom.values`).

Absent is None without a word; present and unusable is None (or the default) with a
finding naming the keyword and the tag. Each corpus test spoils a copy under
``tmp_path`` in a way the readers used to pass over in silence.
"""

from __future__ import annotations

import ast
import warnings
from pathlib import Path

import numpy as np
import pytest
from factories.mutations import value_variant, write_variant
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from pydicom.tag import Tag

from rtviewer.dicom import values
from rtviewer.dicom.header import read_record
from rtviewer.dicom.image import read_image_volume
from rtviewer.dicom.structure import read_structure_set
from rtviewer.dicom.values import Notes

DICOM = Path(values.__file__).parent


@pytest.fixture(autouse=True)
def _pydicom_warnings_allowed():
    """Writing a malformed value on purpose makes pydicom warn: that is the point here."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _raw(keyword: str, vr: str, value: bytes) -> Dataset:
    """A data set holding one still-raw element, as pydicom leaves it after reading."""
    ds = Dataset()
    tag = Tag(keyword)
    ds[tag] = RawDataElement(tag, vr, len(value), value, 0, False, True)  # type: ignore[assignment]
    return ds


def test_absent_and_empty_are_silent() -> None:
    ds = Dataset()
    ds.SliceThickness = ""
    notes = Notes()
    assert values.number(ds, "SliceThickness", notes) is None
    assert values.text(ds, "SeriesDescription", notes) is None
    assert values.items(ds, "BeamSequence", notes) == []
    assert values.number(ds, "RescaleSlope", notes, default=1.0) == 1.0
    assert notes == []


def test_text_where_a_number_belongs_names_keyword_tag_and_assumption() -> None:
    ds = _raw("RescaleSlope", "DS", b"abc")
    notes = Notes()
    assert values.number(ds, "RescaleSlope", notes, "slice 3", default=1.0) == 1.0
    (finding,) = notes
    assert (finding.code, finding.attribute, finding.assumption) == \
        ("UNUSABLE_VALUE", "RescaleSlope", "1")
    assert finding.message == "slice 3: RescaleSlope (0028,1053) is not a finite number: 'abc'."


def test_undecodable_bytes_are_a_finding() -> None:
    ds = _raw("NominalBeamEnergy", "DS", b"1.5\x00\xff")
    notes = Notes()
    assert values.number(ds, "NominalBeamEnergy", notes) is None
    assert [(f.code, f.attribute) for f in notes] == [("UNUSABLE_VALUE", "NominalBeamEnergy")]


def test_several_values_first_or_refused() -> None:
    ds = Dataset()
    ds.BeamMeterset = [100.0, 50.0]
    ds.DoseGridScaling = [1e-5, 2e-5]
    notes = Notes()
    assert values.number(ds, "BeamMeterset", notes) == 100.0
    assert values.number(ds, "DoseGridScaling", notes, default=float("nan"),
                         several="unusable") != values.number(ds, "DoseGridScaling", Notes(),
                                                              several="unusable")
    assert [(f.code, f.attribute) for f in notes] == [
        ("MULTIPLE_VALUES", "BeamMeterset"), ("UNUSABLE_VALUE", "DoseGridScaling")]
    assert notes[0].assumption == "the first, 100"


@pytest.mark.parametrize(("value", "expected", "codes"), [
    ("3", 3, []), ("2.6", 3, ["UNUSABLE_VALUE"]), ("x", None, ["UNUSABLE_VALUE"])])
def test_integer(value: str, expected: int | None, codes: list[str]) -> None:
    ds = _raw("ROINumber", "IS", value.encode())
    notes = Notes()
    assert values.integer(ds, "ROINumber", notes) == expected
    assert [f.code for f in notes] == codes


def test_rules_positive_and_nonzero() -> None:
    ds = Dataset()
    ds.RTImageSID, ds.RescaleSlope = "-1000", "0"
    notes = Notes()
    assert values.number(ds, "RTImageSID", notes, positive=True) is None
    assert values.number(ds, "RescaleSlope", notes, default=1.0, nonzero=True) == 1.0
    assert ["not positive" in notes[0].message, "is zero" in notes[1].message] == [True, True]


def test_text_of_a_person_name_and_of_a_multi_value() -> None:
    ds = Dataset()
    ds.PatientName, ds.ImageType = "Doe^Jane", ["ORIGINAL", "PRIMARY", "AXIAL"]
    notes = Notes()
    assert values.text(ds, "PatientName", notes) == "Doe^Jane"
    assert values.text(ds, "ImageType", notes) == "ORIGINAL"
    assert values.texts(ds, "ImageType", notes) == ["ORIGINAL", "PRIMARY", "AXIAL"]
    assert notes == []


def test_a_valid_raw_uid_is_taken_as_it_is_an_invalid_one_goes_through_pydicom() -> None:
    notes = Notes()
    assert values.text(_raw("SOPInstanceUID", "UI", b"1.2.3\x00"), "SOPInstanceUID",
                       notes) == "1.2.3"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert values.text(_raw("StudyInstanceUID", "UI", b"UNKNOWN"), "StudyInstanceUID",
                           notes) == "UNKNOWN"
    assert "Invalid value for VR UI" in str(caught[0].message)


def test_vector_count_and_array_keeps_non_finite_values() -> None:
    notes = Notes()
    ds = _raw("LeafJawPositions", "DS", b"-5\\5\\7")
    assert values.vector(ds, "LeafJawPositions", notes, "beam 1", count=2) is None
    assert notes[0].code == "UNUSABLE_VALUE" and "2 finite numbers" in notes[0].message
    contour = _raw("ContourData", "DS", b"1\\2\\nan")
    data = values.array(contour, "ContourData", notes)
    assert data is not None and np.isnan(data[2]) and data[:2].tolist() == [1.0, 2.0]
    assert len(notes) == 1


def test_items_of_a_sequence() -> None:
    ds = Dataset()
    ds.BeamSequence = Sequence([Dataset(), Dataset()])
    notes = Notes()
    assert len(values.items(ds, "BeamSequence", notes)) == 2
    assert values.first_item(ds, "BeamSequence", notes) is ds.BeamSequence[0]
    assert notes == []


def test_only_the_value_module_decodes_raw_values() -> None:
    """Every reader goes through :mod:`rtviewer.dicom.values`; the raw decoders are its own."""
    importers = []
    for path in DICOM.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and \
                    node.module.endswith("_raw_values"):
                importers.append(path.relative_to(DICOM).as_posix())
    assert importers == ["values.py"]


# -- values the readers used to pass over in silence ------------------------------------

@pytest.mark.corpus
def test_roi_numbers_that_are_no_numbers(corpus: Path, tmp_path: Path) -> None:
    """Contours and observations whose Referenced ROI Number is text vanished quietly."""
    path = write_variant(value_variant("rtstruct", "ReferencedROINumber", "abc"), corpus,
                         tmp_path)
    structures = read_structure_set(path)
    found = [f for f in structures.findings if f.attribute == "ReferencedROINumber"]
    assert found and {f.code for f in found} == {"UNUSABLE_VALUE"}
    assert "(3006,0084)" in found[0].message
    assert all(not roi.contours for roi in structures.rois)  # not drawn, and said


@pytest.mark.corpus
def test_slice_thickness_that_is_no_number(corpus: Path, tmp_path: Path) -> None:
    """An image volume's Slice Thickness ``abc`` became "unknown" without a word."""
    path = write_variant(value_variant("ct", "SliceThickness", "abc"), corpus, tmp_path)
    volume = read_image_volume([path])
    (finding,) = [f for f in volume.findings if f.code == "UNUSABLE_VALUE"]
    assert finding.attribute == "SliceThickness" and "(0018,0050)" in finding.message
    assert volume.slice_thickness_mm is None


@pytest.mark.corpus
def test_scan_record_says_which_value_it_could_not_use(corpus: Path, tmp_path: Path) -> None:
    """The scan's summary of a plan whose Number of Fractions Planned is text."""
    path = write_variant(value_variant("rtplan", "NumberOfFractionsPlanned", "abc"), corpus,
                         tmp_path)
    record = read_record(str(path), path.stat().st_size)
    rows = [r for r in record["findings"] if "NumberOfFractionsPlanned" in r[1]]
    assert rows and rows[0][0] == "UNUSABLE_VALUE" and "(300A,0078)" in rows[0][1]
    assert "no fraction group" in record["summary"]
