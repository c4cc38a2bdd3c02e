"""dcmtk's echoscu and storescu against rtviewer's Storage SCP (loopback only)."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from rtviewer.net.indexer import StoreIndexer
from rtviewer.net.receive import StorageServer, describe
from tests.net.conftest import free_port, need_tool, run_tool
from tests.net.intact import assert_intact

pytestmark = pytest.mark.network

#: Corpus files covering every kind and encoding quirk the SCP must take intact.
CORPUS_FILES = (
    "dicompyler-core/ct.0.dcm", "dicompyler-core/rtss.dcm", "dicompyler-core/rtplan.dcm",
    "dicompyler-core/rtdose.dcm",
    "pymedphys/06MV_plan.dcm",  # no file meta
    "pydicom-testfiles/rtdose.dcm", "pydicom-testfiles/rtdose_1frame.dcm",  # same UID
    "pytg43-brachy/HDR/RP.HDR.dcm",  # Study and Series UID "UNKNOWN"
    "pytg43-brachy/HDR/RS.HDR.dcm", "pytg43-brachy/oncentra/RP.oncentra.dcm",
    "pylinac/EPID-PF-LR.dcm", "pynetdicom/RTImageStorage.dcm",
)


def _corpus_files(corpus: Path) -> list[Path]:
    files = [corpus / name for name in CORPUS_FILES]
    files += sorted((corpus / "aptg-proton/plan03_ramp_full").glob("*.dcm"))  # ion plan
    files += sorted((corpus / "orthanc-tests/Comunix_PETCT").glob("*/*.dcm"))  # JPEG 2000
    missing = [f for f in files if not f.is_file()]
    assert not missing
    return files


def _storescu(port: int, files: list[Path], *extra: str) -> subprocess.CompletedProcess[str]:
    return run_tool(need_tool("storescu"), "-R", "-aet", "TPS", "-aec", "RTVIEWER", *extra,
                    "127.0.0.1", str(port), *map(str, files), timeout=300)


def test_echoscu_succeeds_and_wrong_called_aet_is_rejected(start_scp):
    echoscu = need_tool("echoscu")
    scp = start_scp()
    ok = run_tool(echoscu, "-aec", "RTVIEWER", "127.0.0.1", str(scp.port))
    assert ok.returncode == 0, ok.stderr
    wrong = run_tool(echoscu, "-aec", "SOMEONE", "127.0.0.1", str(scp.port))
    assert wrong.returncode != 0
    assert "Rejected" in wrong.stderr or "rejected" in wrong.stderr


@pytest.mark.corpus
def test_storescu_corpus_files_arrive_intact_and_indexed(corpus, start_scp):
    files = _corpus_files(corpus)
    assert len(files) >= 18
    scp = start_scp()
    indexer = StoreIndexer(scp.store)
    scp.server._on_received = lambda item: (scp.received.append(item), indexer.request())
    try:
        plain = [f for f in files if "Comunix" not in str(f)]
        j2k = [f for f in files if "Comunix" in str(f)]
        files = plain + j2k  # the order storescu sends them in
        out = _storescu(scp.port, plain)
        assert out.returncode == 0, out.stderr
        out = _storescu(scp.port, j2k, "-xw")  # propose JPEG 2000: no conversion
        assert out.returncode == 0, out.stderr
        assert indexer.wait_idle(120)
        index = indexer.latest
    finally:
        indexer.stop()
    assert len(scp.received) == len(files)
    by_sent = dict(zip(files, scp.received, strict=True))  # storescu sends in order
    for sent, item in by_sent.items():
        assert item.stored.path.resolve().is_relative_to(scp.store.resolve())
        assert_intact(sent, item.stored.path)
    # "UNKNOWN" Study and Series UIDs: hashed folder names, object kept
    hdr = by_sent[corpus / "pytg43-brachy/HDR/RP.HDR.dcm"].stored.path
    hashed = "h" + hashlib.sha1(b"UNKNOWN").hexdigest()[:16]
    assert hdr.parent.name == hashed and hdr.parent.parent.name == hashed
    # Same SOP Instance UID, different content: both kept, the second with its SHA-1
    first = by_sent[corpus / "pydicom-testfiles/rtdose.dcm"].stored
    second = by_sent[corpus / "pydicom-testfiles/rtdose_1frame.dcm"].stored
    assert second.duplicate_of == first.path
    sha = hashlib.sha1(second.path.read_bytes()).hexdigest()
    assert second.path.name == f"{first.path.stem}.{sha[:8]}.dcm"
    # Indexed: every stored file is an instance of the store's index
    assert index is not None
    indexed = {i.path for i in index.instances()}
    assert {i.stored.path for i in scp.received} <= indexed
    assert len(indexed) == len(files)
    messages = [describe(i) for i in scp.received]
    assert "RT Plan 'B1' received from AE TPS" in messages
    assert describe(by_sent[corpus / "pydicom-testfiles/rtdose_1frame.dcm"]).endswith(
        "(a different object with this UID exists: kept both)")


@pytest.mark.slow
def test_storescu_demo_patient_arrives_intact(tmp_path, start_scp):
    generate = pytest.importorskip("rtviewer.demo.generate")
    files = sorted(generate.generate_demo(tmp_path / "demo"))
    scp = start_scp()
    indexer = StoreIndexer(scp.store)
    scp.server._on_received = lambda item: (scp.received.append(item), indexer.request())
    try:
        out = _storescu(scp.port, files)
        assert out.returncode == 0, out.stderr
        assert indexer.wait_idle(120)
    finally:
        indexer.stop()
    assert len(scp.received) == len(files)
    for sent, item in zip(files, scp.received, strict=True):
        assert_intact(sent, item.stored.path)
    assert {i.path for i in indexer.latest.instances()} == {i.stored.path for i in scp.received}
    kinds = {i.sop_class_name for i in scp.received}
    assert {"RT Plan Storage", "RT Dose Storage", "RT Structure Set Storage",
            "CT Image Storage"} <= kinds


@pytest.mark.corpus
def test_cli_receive_prints_one_line_per_object_and_exits_0_on_sigterm(corpus, tmp_path):
    port = free_port()
    store = tmp_path / "new" / "store"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "rtviewer", "receive", "--port", str(port),
                             "--store", str(store), "--allow-aet", "TPS"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert "listening on 127.0.0.1:" in proc.stderr.readline()
        files = [corpus / "dicompyler-core/rtplan.dcm", corpus / "dicompyler-core/rtdose.dcm"]
        assert _storescu(port, files).returncode == 0
        lines = [proc.stdout.readline() for _ in files]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        proc.stdout.close()
        proc.stderr.close()
    assert "RT Plan 'B1' received from AE TPS" in lines[0]
    assert "RT Dose" in lines[1]
    paths = [Path(line.split("\t")[0]) for line in lines]
    assert all(p.is_file() and p.is_relative_to(store) for p in paths)


def test_explicit_bind_setting_is_used(tmp_path):
    from rtviewer.config import ReceiverSettings

    server = StorageServer(ReceiverSettings(port=0, bind="127.0.0.2"), tmp_path)
    with server:
        assert server.address[0] == "127.0.0.2"
