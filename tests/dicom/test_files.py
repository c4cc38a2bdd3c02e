import pytest

from rtviewer.dicom.files import read_dataset
from rtviewer.errors import NotDicomError


def test_not_dicom(tmp_path):
    p = tmp_path / "notes.txt"
    p.write_text("hello, this is not DICOM\n" * 20)
    with pytest.raises(NotDicomError) as info:
        read_dataset(p)
    assert info.value.path == p


def test_no_file_meta_gets_default_transfer_syntax(corpus):
    ds, findings = read_dataset(corpus / "pydicom-testfiles" / "rtstruct.dcm")
    assert ds.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2"
    assert "NO_FILE_META" in [f.code for f in findings]
