"""Reading an object once per report run (rtviewer.dicom.read_once)."""

import shutil

import pytest

from rtviewer.dicom.dose import read_dose
from rtviewer.dicom.read_once import reading_once
from rtviewer.dicom.structure import read_structure_set
from rtviewer.errors import RtViewerError


@pytest.mark.corpus
def test_inside_a_run_each_file_is_read_once(corpus):
    rtss, rtdose = (corpus / "dicompyler-core" / name for name in ("rtss.dcm", "rtdose.dcm"))
    with reading_once():
        first = read_structure_set(rtss)
        assert read_structure_set(str(rtss)) is first  # same file, however named
        dose = read_dose(rtdose)
        assert read_dose(rtdose) is dose
        assert len(first.rois) == 10
    with reading_once():  # a new run reads again
        assert read_structure_set(rtss) is not first
    # outside a run (the window): every call reads the file
    assert read_structure_set(rtss) is not read_structure_set(rtss)


@pytest.mark.corpus
def test_a_failed_read_is_not_remembered(corpus, tmp_path):
    path = tmp_path / "rtss.dcm"
    path.write_bytes(b"not DICOM")
    with reading_once():
        with pytest.raises(RtViewerError):
            read_structure_set(path)
        shutil.copy(corpus / "dicompyler-core" / "rtss.dcm", path)
        assert len(read_structure_set(path).rois) == 10
