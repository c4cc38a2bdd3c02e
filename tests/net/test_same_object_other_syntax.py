"""The same object in another transfer syntax is not a duplicate (issue 16, point 5).

A planning system sends Implicit VR Little Endian, a PACS forwards the same plan as
Explicit VR Little Endian: the store keeps one file and ``check`` finds no error.
"""

from __future__ import annotations

import shutil

import pydicom
import pytest
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian
from pynetdicom import AE

from rtviewer.dicom.check import check_path
from rtviewer.model.findings import Severity
from tests.net.conftest import need_tool, run_tool

pytestmark = [pytest.mark.network, pytest.mark.corpus]

PLAN = "dicompyler-core/rtplan.dcm"  # Implicit VR Little Endian on disk


def _send(port: int, ds: pydicom.Dataset, syntax: str) -> int:
    ae = AE(ae_title="PEER")
    ae.add_requested_context(ds.SOPClassUID, syntax)
    assoc = ae.associate("127.0.0.1", port, ae_title="RTVIEWER")
    assert assoc.is_established
    try:
        return int(assoc.send_c_store(ds).Status)
    finally:
        assoc.release()


def _files(root):
    return sorted(p for p in root.rglob("*.dcm") if ".incoming" not in p.parts)


def test_implicit_then_explicit_vr_is_stored_once(corpus, start_scp):
    scp = start_scp()
    ds = pydicom.dcmread(corpus / PLAN)
    assert _send(scp.port, ds, ImplicitVRLittleEndian) == 0
    assert _send(scp.port, ds, ExplicitVRLittleEndian) == 0
    (stored,) = _files(scp.store)
    assert [r.stored.duplicate_of for r in scp.received] == [None, None]
    assert [r.stored.already_present for r in scp.received] == [False, True]
    assert pydicom.dcmread(stored).file_meta.TransferSyntaxUID == ImplicitVRLittleEndian
    # another object under the same UID is still kept beside it
    ds.RTPlanLabel = "changed"
    assert _send(scp.port, ds, ExplicitVRLittleEndian) == 0
    assert len(_files(scp.store)) == 2
    assert scp.received[-1].stored.duplicate_of == stored


def _explicit_copy(source, target):
    ds = pydicom.dcmread(source)
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.save_as(target, implicit_vr=False, little_endian=True)


def _duplicate_findings(folder):
    report = check_path(folder)
    return [f for f in report.findings if f.code == "DUPLICATE_SOP_INSTANCE_UID"]


def test_check_reports_a_copy_in_another_syntax_as_information(corpus, tmp_path):
    shutil.copy(corpus / PLAN, tmp_path / "implicit.dcm")
    _explicit_copy(corpus / PLAN, tmp_path / "explicit.dcm")
    found = _duplicate_findings(tmp_path)
    assert len(found) == 2
    assert {f.severity for f in found} == {Severity.INFO}
    assert all("same object in another encoding" in f.message for f in found)
    ds = pydicom.dcmread(tmp_path / "explicit.dcm")
    ds.RTPlanLabel = "changed"
    ds.save_as(tmp_path / "explicit.dcm")
    assert {f.severity for f in _duplicate_findings(tmp_path)} == {Severity.ERROR}


def test_check_sees_a_big_endian_copy_of_a_ct_slice_as_the_same_object(corpus, tmp_path):
    dcmconv = need_tool("dcmconv")  # dcmtk writes the retired Explicit VR Big Endian
    shutil.copy(corpus / "dicompyler-core/ct.0.dcm", tmp_path / "little.dcm")
    done = run_tool(dcmconv, "+tb", str(corpus / "dicompyler-core/ct.0.dcm"),
                    str(tmp_path / "big.dcm"))
    assert done.returncode == 0, done.stderr
    found = _duplicate_findings(tmp_path)
    assert len(found) == 2 and {f.severity for f in found} == {Severity.INFO}
