"""Send (files, a plan chain) and C-GET progress and cancellation, on loopback."""

from __future__ import annotations

import copy
import subprocess
import sys
import threading
import time

import pydicom
import pytest
from pydicom.uid import generate_uid
from pynetdicom import AE, evt
from pynetdicom.sop_class import (
    CTImageStorage,
    StudyRootQueryRetrieveInformationModelGet,
)

from rtviewer.config import Node
from rtviewer.dicom.scan import scan
from rtviewer.net.retrieve import c_get, retrieve_identifier
from rtviewer.net.send import plan_chain_paths
from tests.net.conftest import free_port

pytestmark = pytest.mark.network


@pytest.mark.corpus
def test_plan_chain_is_images_structures_plan_then_doses(corpus):
    folder = corpus / "dicompyler-core"
    chain = plan_chain_paths(scan(folder), folder / "rtplan.dcm")
    assert [p.name for p in chain] == ["ct.0.dcm", "rtss.dcm", "rtplan.dcm", "rtdose.dcm"]
    with pytest.raises(ValueError, match="not an RT Plan"):
        plan_chain_paths(scan(folder), folder / "rtdose.dcm")


@pytest.mark.corpus
def test_cli_send_chain_and_a_file_that_is_not_dicom(corpus, start_scp, tmp_path):
    scp = start_scp()
    node = f"RTVIEWER@127.0.0.1:{scp.port}"
    done = subprocess.run([sys.executable, "-m", "rtviewer", "send", node, "--chain",
                           str(corpus / "dicompyler-core/rtplan.dcm")],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert [line.split("\t")[2] for line in done.stdout.splitlines()] == ["stored"] * 4
    assert "4 of 4 stored by" in done.stderr
    assert sorted(i.sop_class_name for i in scp.received) == [
        "CT Image Storage", "RT Dose Storage", "RT Plan Storage", "RT Structure Set Storage"]
    junk = tmp_path / "notes.txt"
    junk.write_text("not DICOM")
    done = subprocess.run([sys.executable, "-m", "rtviewer", "send", node, str(junk),
                           str(corpus / "pymedphys/06MV_plan.dcm")],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1
    assert "not sent:" in done.stdout and "not a DICOM file" in done.stdout
    assert "1 of 2 stored" in done.stderr
    assert len(scp.received) == 5


@pytest.fixture
def slow_get_scp(corpus):
    """A pynetdicom Q/R C-GET SCP serving 20 CT slices, 50 ms apart (honours C-CANCEL)."""
    template = pydicom.dcmread(corpus / "dicompyler-core/ct.0.dcm")
    slices = []
    for n in range(20):
        ds = copy.deepcopy(template)
        ds.SOPInstanceUID = generate_uid()
        ds.InstanceNumber = n + 1
        slices.append(ds)
    state = {"cancelled": False}

    def handle_get(event):
        yield len(slices)
        for ds in slices:
            if event.is_cancelled:
                state["cancelled"] = True
                yield 0xFE00, None
                return
            time.sleep(0.05)
            yield 0xFF00, ds

    ae = AE(ae_title="QRSCP")
    ae.add_supported_context(StudyRootQueryRetrieveInformationModelGet)
    ae.add_supported_context(CTImageStorage, scu_role=True, scp_role=True)
    port = free_port()
    server = ae.start_server(("127.0.0.1", port), block=False,
                             evt_handlers=[(evt.EVT_C_GET, handle_get)])
    yield Node("qr", "QRSCP", "127.0.0.1", port), slices, state
    server.shutdown()


def test_c_get_reports_progress_and_stops_on_cancel(slow_get_scp, tmp_path):
    node, slices, state = slow_get_scp
    progress: list[tuple[int, int]] = []
    received = []
    lock = threading.Lock()

    def on_received(item):
        with lock:
            received.append(item)

    result = c_get(node, retrieve_identifier("STUDY", str(slices[0].StudyInstanceUID)),
                   tmp_path / "store", "RTVIEWER", progress=lambda d, t: progress.append((d, t)),
                   cancel=lambda: len(received) >= 3, on_received=on_received)
    assert result.cancelled and result.status == 0xFE00 and state["cancelled"]
    assert 3 <= len(result.received) < len(slices)
    assert progress[0] == (1, 20) and all(t == 20 for _d, t in progress)
    files = sorted((tmp_path / "store").rglob("*.dcm"))
    assert len(files) == len(result.received)


def test_c_get_everything_without_cancel(slow_get_scp, tmp_path):
    node, slices, _state = slow_get_scp
    result = c_get(node, retrieve_identifier("STUDY", str(slices[0].StudyInstanceUID)),
                   tmp_path / "store", "RTVIEWER")
    assert (result.completed, result.failed, result.status, result.cancelled) == (20, 0, 0,
                                                                                 False)
    stored = {pydicom.dcmread(i.stored.path).SOPInstanceUID for i in result.received}
    assert stored == {ds.SOPInstanceUID for ds in slices}
    assert len(list((tmp_path / "store").rglob("*.dcm"))) == 20
