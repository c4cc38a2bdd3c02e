"""Peers that misbehave: wrong AE, too many associations, oversize objects, dropped links."""

from __future__ import annotations

import io
import socket
import time
from pathlib import Path

import pytest
from pydicom import config
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import UID, ExplicitVRLittleEndian, generate_uid
from pynetdicom import AE
from pynetdicom.dimse_messages import C_STORE_RQ
from pynetdicom.dimse_primitives import C_STORE
from pynetdicom.dsutils import encode
from pynetdicom.pdu import P_DATA_TF

from tests.net.conftest import need_tool, run_tool

pytestmark = pytest.mark.network

RT_PLAN = "1.2.840.10008.5.1.4.1.1.481.5"


def _plan(sop_uid: str = "", size: int = 0) -> Dataset:
    ds = Dataset()
    ds.SOPClassUID = RT_PLAN
    ds.SOPInstanceUID = sop_uid or generate_uid()
    ds.StudyInstanceUID = generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.Modality = "RTPLAN"
    ds.RTPlanLabel = "crafted"
    if size:
        ds.PlanIntent = "CURATIVE"
        ds.add_new(0x300B1001, "OB", b"\0" * size)  # private filler: the size we want
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    return ds


def _ae(aet: str = "PEER") -> AE:
    ae = AE(ae_title=aet)
    ae.add_requested_context(RT_PLAN, ExplicitVRLittleEndian)
    ae.add_requested_context("1.2.840.10008.1.1")
    ae.acse_timeout = ae.dimse_timeout = ae.network_timeout = 10
    return ae


def _request(ds: Dataset, command_uid: str | None = None) -> C_STORE:
    """A C-STORE request built without pynetdicom's UID checks (a hostile peer's)."""
    req = C_STORE()
    req.MessageID = 1
    req.AffectedSOPClassUID = RT_PLAN
    req._affected_sop_instance_uid = UID(command_uid or ds.SOPInstanceUID)  # unchecked
    req.Priority = 2
    req.DataSet = io.BytesIO(encode(ds, False, True))
    return req


def _context_id(assoc) -> int:
    return next(cx.context_id for cx in assoc.accepted_contexts
                if cx.abstract_syntax == RT_PLAN)


def _hostile_store(assoc, ds: Dataset, command_uid: str | None = None) -> Dataset | None:
    """Send the request as pynetdicom's send_c_store does (reactor paused); the status."""
    assoc._reactor_checkpoint.clear()
    deadline = time.monotonic() + 10
    while not assoc._is_paused and time.monotonic() < deadline:
        time.sleep(0.001)
    try:
        assoc.dimse.send_msg(_request(ds, command_uid), _context_id(assoc))
        _cx, rsp = assoc.dimse.get_msg(block=True)
    finally:
        assoc._reactor_checkpoint.set()
    return rsp


def _raw_pdus(assoc, ds: Dataset) -> list[P_DATA_TF]:
    """The P-DATA-TF PDUs of a C-STORE-RQ."""
    message = C_STORE_RQ()
    message.primitive_to_message(_request(ds))
    context_id = _context_id(assoc)
    pdus = []
    for primitive in message.encode_msg(context_id, 16_382):
        pdu = P_DATA_TF()
        pdu.from_primitive(primitive)
        pdus.append(pdu)
    return pdus


def _files(store: Path) -> list[Path]:
    return sorted(p for p in store.rglob("*") if p.is_file())


def test_calling_aet_outside_the_allow_list_is_rejected(start_scp):
    echoscu = need_tool("echoscu")
    scp = start_scp(allowed_calling_aets=("TPS",))
    bad = run_tool(echoscu, "-aet", "INTRUDER", "-aec", "RTVIEWER", "127.0.0.1", str(scp.port))
    assert bad.returncode != 0 and "rejected" in bad.stderr.lower()
    good = run_tool(echoscu, "-aet", "TPS", "-aec", "RTVIEWER", "127.0.0.1", str(scp.port))
    assert good.returncode == 0, good.stderr
    assoc = _ae("INTRUDER").associate("127.0.0.1", scp.port, ae_title="RTVIEWER")
    assert assoc.is_rejected
    assert scp.received == []


OVERLONG = "1." + "2" * 70


@pytest.mark.parametrize(("uid", "command_uid"), [
    ("../x", None), ("/etc/passwd", None), ("UNKNOWN", None), ("..", None),
    ("1.2/../../3", None),
    (OVERLONG, "1.2.3.4"),  # overlong in the dataset, a valid UID in the command
])
def test_crafted_sop_instance_uids_never_escape_the_store(start_scp, tmp_path, uid,
                                                          command_uid):
    scp = start_scp()
    assoc = _ae().associate("127.0.0.1", scp.port, ae_title="RTVIEWER")
    assert assoc.is_established
    try:
        with config.disable_value_validation():  # a hostile peer does not validate
            ds = _plan()
            ds.StudyInstanceUID = "../../study"
            ds.SeriesInstanceUID = "/tmp/series"
            ds.SOPInstanceUID = uid
            status = _hostile_store(assoc, ds, command_uid)
    finally:
        assoc.release()
    assert status.Status == 0x0000  # accepted, under a hashed name
    (item,) = scp.received
    files = _files(scp.store)
    assert files == [item.stored.path]
    assert item.stored.path.resolve().is_relative_to(scp.store.resolve())
    assert item.stored.path.name.startswith("h") and ".." not in item.stored.path.name
    assert sorted(p.name for p in tmp_path.iterdir()) == [scp.store.name]


def test_overlong_uid_in_the_command_is_refused_without_a_file(start_scp):
    scp = start_scp()
    assoc = _ae().associate("127.0.0.1", scp.port, ae_title="RTVIEWER")
    try:
        with config.disable_value_validation():
            ds = _plan()
            ds.SOPInstanceUID = OVERLONG
            status = _hostile_store(assoc, ds)
    finally:
        if assoc.is_established:
            assoc.abort()
    assert status is None  # pynetdicom drops the malformed message: no response
    assert scp.received == [] and _files(scp.store) == []
    ok = _ae().associate("127.0.0.1", scp.port, ae_title="RTVIEWER")
    assert ok.send_c_store(_plan()).Status == 0x0000
    ok.release()


def test_oversize_object_is_refused(start_scp):
    """Refused while it arrives (association aborted), not after it filled memory."""
    scp = start_scp(max_object_mb=0.5)
    assoc = _ae().associate("127.0.0.1", scp.port, ae_title="RTVIEWER")
    try:
        small = [assoc.send_c_store(_plan(size=300_000)) for _ in range(3)]  # 900 kB in all
        big = assoc.send_c_store(_plan(size=600_000))
    finally:
        if assoc.is_established:
            assoc.abort()
    assert [s.Status for s in small] == [0, 0, 0]  # the limit is per object
    assert not big  # no status: the receiver aborted the association mid-object
    assert assoc.is_aborted
    assert len(scp.received) == 3 and len(_files(scp.store)) == 3
    again = _ae().associate("127.0.0.1", scp.port, ae_title="RTVIEWER")
    assert again.send_c_store(_plan(size=400_000)).Status == 0x0000  # the SCP lives on
    again.release()
    assert len(_files(scp.store)) == 4


def test_the_store_handler_refuses_oversize_objects_too(tmp_path):
    """Second line of defence (C-GET sub-operations have no PDU watcher): status A700."""
    from types import SimpleNamespace

    from rtviewer.net.receive import store_event

    request = SimpleNamespace(DataSet=io.BytesIO(b"x" * 1001))
    event = SimpleNamespace(request=request, assoc=SimpleNamespace(
        is_requestor=False, requestor=SimpleNamespace(ae_title="PEER")))
    assert store_event(event, tmp_path, max_bytes=1000) == (0xA700, None)
    assert list(tmp_path.iterdir()) == []


def test_associations_beyond_the_limit_are_refused_and_the_server_lives_on(start_scp):
    scp = start_scp(max_associations=2)
    ae = _ae()
    held = [ae.associate("127.0.0.1", scp.port, ae_title="RTVIEWER") for _ in range(2)]
    assert all(a.is_established for a in held)
    extra = ae.associate("127.0.0.1", scp.port, ae_title="RTVIEWER")
    assert extra.is_rejected
    for a in held:
        a.release()
    deadline = time.monotonic() + 10
    while scp.server._server.active_associations and time.monotonic() < deadline:
        time.sleep(0.05)
    later = ae.associate("127.0.0.1", scp.port, ae_title="RTVIEWER")
    assert later.is_established
    assert later.send_c_store(_plan()).Status == 0x0000
    later.release()


def test_a_dropped_association_leaves_no_partial_file(start_scp):
    """Send the C-STORE command and half the dataset, then cut the TCP connection."""
    scp = start_scp()
    assoc = _ae().associate("127.0.0.1", scp.port, ae_title="RTVIEWER")
    assert assoc.is_established
    pdus = _raw_pdus(assoc, _plan(size=400_000))
    assert len(pdus) > 4
    sock: socket.socket = assoc.dul.socket.socket
    for pdu in pdus[: len(pdus) // 2]:
        sock.sendall(pdu.encode())
    sock.shutdown(socket.SHUT_RDWR)  # the peer vanishes mid-object
    assoc.abort()
    sock.close()
    deadline = time.monotonic() + 10
    while scp.server._server.active_associations and time.monotonic() < deadline:
        time.sleep(0.05)
    assert scp.received == []
    assert _files(scp.store) == []
    # and the SCP still works
    ok = _ae().associate("127.0.0.1", scp.port, ae_title="RTVIEWER")
    assert ok.send_c_store(_plan()).Status == 0x0000
    ok.release()
    assert len(_files(scp.store)) == 1
