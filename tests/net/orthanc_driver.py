"""Start Orthanc and exercise rtviewer's SCU against it; print one JSON document.

Usage (the test does this)::

    unshare -rn sh -c 'ip link set lo up && exec python orthanc_driver.py WORKDIR FILE...'

Preferably inside a private network namespace (``unshare -rn``: user + network
namespace, no root needed), where Orthanc is unreachable from anywhere else: Orthanc
1.10 cannot bind to one interface. Where no namespace can be made the test runs this
on the host's loopback instead; Orthanc is then locked down whatever the mode: HTTP
off, remote access off, every ``DicomAlwaysAllow*`` off, and only our AE title from
127.0.0.1 registered (``DicomCheckModalityHost``), so no other host or AE can use it.
Ports come from ``RTVIEWER_TEST_ORTHANC_PORT`` and ``RTVIEWER_TEST_SCP_PORT`` (free
ports the test picked). Stops Orthanc by its PID whatever happens.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from rtviewer.config import Node, ReceiverSettings
from rtviewer.net.query import QueryFilters, find
from rtviewer.net.receive import StorageServer
from rtviewer.net.retrieve import c_get, c_move, retrieve_identifier
from rtviewer.net.scu import NetworkError, echo
from rtviewer.net.send import send_files

ORTHANC = Node("orthanc", "ORTHANC", "127.0.0.1",
               int(os.environ.get("RTVIEWER_TEST_ORTHANC_PORT", "4242")))
OUR_PORT = int(os.environ.get("RTVIEWER_TEST_SCP_PORT", "11112"))


def _config(work: Path) -> Path:
    config = {
        "Name": "rtviewer-test", "StorageDirectory": str(work / "db"),
        "IndexDirectory": str(work / "db"), "DicomAet": "ORTHANC",
        "DicomPort": ORTHANC.port, "HttpServerEnabled": False, "HttpPort": 8042,
        "RemoteAccessAllowed": False, "DicomCheckCalledAet": True, "Plugins": [],
        "DicomModalities": {"rtviewer": ["RTVIEWER", "127.0.0.1", OUR_PORT]},
        "DicomCheckModalityHost": True, "DicomAlwaysAllowEcho": False,
        "DicomAlwaysAllowStore": False, "DicomAlwaysAllowFind": False,
        "DicomAlwaysAllowGet": False, "DicomAlwaysAllowMove": False,
        "DicomAlwaysAllowFindWorklist": False,
        "StorageCompression": False,
    }
    path = work / "orthanc.json"
    path.write_text(json.dumps(config))
    return path


def _wait_for_orthanc(proc: subprocess.Popen, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"Orthanc exited with {proc.returncode}")
        try:
            if echo(ORTHANC, "RTVIEWER") == 0:
                return
        except NetworkError:
            time.sleep(0.5)
    raise RuntimeError("Orthanc did not answer C-ECHO within 60 s")


def _exercise(work: Path, files: list[Path]) -> dict:
    out: dict = {}
    sent = send_files(ORTHANC, files, "RTVIEWER")
    out["sent"] = [[str(i.path), i.sop_instance_uid, i.status] for i in sent.items]
    out["echo"] = echo(ORTHANC, "RTVIEWER")
    out["strangers"] = _strangers(files[0])
    out["find_patient"] = list(find(ORTHANC, "PATIENT", QueryFilters(patient_id="*"),
                                    "RTVIEWER").rows)
    out["find_rtplan_studies"] = list(find(ORTHANC, "STUDY", QueryFilters(modality="RTPLAN"),
                                           "RTVIEWER").rows)
    out["find_dated"] = list(find(ORTHANC, "STUDY", QueryFilters(
        date_from="20150101", date_to="20151231"), "RTVIEWER").rows)
    study = next((r["StudyInstanceUID"] for r in out["find_rtplan_studies"]
                  if r["PatientID"] == "123456"), "")
    out["find_series_rtdose"] = list(find(ORTHANC, "SERIES", QueryFilters(
        modality="RTDOSE", study_uid=study), "RTVIEWER").rows)
    got = c_get(ORTHANC, retrieve_identifier("STUDY", study), work / "get", "RTVIEWER")
    out["get"] = {"completed": got.completed, "failed": got.failed, "status": got.status,
                  "files": [str(i.stored.path) for i in got.received]}
    received = []
    with StorageServer(ReceiverSettings(port=OUR_PORT), work / "move", received.append):
        moved = c_move(ORTHANC, retrieve_identifier("STUDY", study), "RTVIEWER", "RTVIEWER")
    out["move"] = {"completed": moved.completed, "failed": moved.failed,
                   "status": moved.status, "files": [str(i.stored.path) for i in received]}
    back = send_files(ORTHANC, [Path(p) for p in out["get"]["files"]], "RTVIEWER")
    out["sent_back"] = [i.status for i in back.items]
    dose_series = out["find_series_rtdose"][0]["SeriesInstanceUID"] \
        if out["find_series_rtdose"] else ""
    out["cli"] = _cli(work, study, dose_series)
    return out


def _strangers(file: Path) -> dict:
    """What an AE title Orthanc does not know gets: nothing (the lock-down)."""
    out = {}
    for what, call in (("echo", lambda: echo(ORTHANC, "STRANGER")),
                       ("store", lambda: send_files(ORTHANC, [file], "STRANGER").items[0]
                        .status),
                       ("find", lambda: len(find(ORTHANC, "PATIENT",
                                                 QueryFilters(patient_id="*"),
                                                 "STRANGER").rows))):
        try:
            out[what] = call()
        except NetworkError as exc:
            out[what] = f"NetworkError: {exc}"
    return out


def _cli(work: Path, study: str, series: str) -> dict:
    """The same through the rtviewer command line (NODE given as AET@host:port)."""
    node = str(ORTHANC)
    config = work / "cli-config"  # the receiver of --move listens where Orthanc sends
    config.mkdir(exist_ok=True)
    (config / "settings.json").write_text(json.dumps({"receiver": {"port": OUR_PORT}}))
    env = dict(os.environ, RTVIEWER_CONFIG_DIR=str(config))

    def rtviewer(*args: str) -> list:
        done = subprocess.run([sys.executable, "-m", "rtviewer", *args], capture_output=True,
                              text=True, timeout=120, check=False, env=env)
        return [done.returncode, done.stdout, done.stderr]

    return {
        "echo": rtviewer("query", node, "--echo"),
        "find_series": rtviewer("query", node, "--level", "series", "--study", study,
                           "--modality", "RTPLAN", "--json"),
        "retrieve": rtviewer("retrieve", node, study, "--store", str(work / "cli-get")),
        "move": rtviewer("retrieve", node, study, "--move", "--store", str(work / "cli-move")),
        "series": rtviewer("retrieve", node, series, "--level", "series", "--store",
                           str(work / "cli-series")),
    }


def main() -> int:
    work = Path(sys.argv[1])
    files = [Path(p) for p in sys.argv[2:]]
    (work / "db").mkdir(parents=True, exist_ok=True)
    log = (work / "orthanc.log").open("w")
    orthanc = os.environ.get("RTVIEWER_TEST_ORTHANC", "Orthanc")
    proc = subprocess.Popen([orthanc, str(_config(work))], stdout=log, stderr=log)
    try:
        _wait_for_orthanc(proc)
        result = _exercise(work, files)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()
    result["orthanc_exit"] = proc.returncode
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
