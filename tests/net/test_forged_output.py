"""Peer-supplied text cannot forge a line of ``rtviewer receive`` (issue 16, point 4)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import warnings

import pytest
from pydicom.dataset import Dataset

from tests.net.conftest import free_port
from tests.net.test_bad_peers import _ae, _plan

pytestmark = pytest.mark.network

FORGED = "ok\n/tmp/FAKE.dcm\t1.2.3.4\tRT Plan 'forged' received from AE PACS"


def _forged_plan() -> Dataset:
    ds = _plan()
    with warnings.catch_warnings():  # longer than SH allows: a hostile peer's
        warnings.simplefilter("ignore")
        ds.RTPlanLabel = FORGED
    ds.SeriesDescription = "\x1b[2J\x1b[Hcleared"  # an ANSI clear-screen
    return ds


def test_a_forged_rt_plan_label_prints_one_escaped_line(tmp_path):
    port = free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "rtviewer", "receive", "--port", str(port),
                             "--store", str(tmp_path / "store")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert "listening on 127.0.0.1:" in proc.stderr.readline()
        assoc = _ae("TPS").associate("127.0.0.1", port, ae_title="RTVIEWER")
        assert assoc.is_established
        assert assoc.send_c_store(_forged_plan()).Status == 0x0000
        assoc.release()
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=10)
    lines = stdout.splitlines()
    assert len(lines) == 1, stdout  # no second, forged "received" line
    path, uid, description = lines[0].split("\t")
    assert description == ("RT Plan 'ok\\n/tmp/FAKE.dcm\\t1.2.3.4\\tRT Plan 'forged' "
                           "received from AE PACS' received from AE TPS")
    assert "\x1b" not in stdout + stderr
    assert "stopped after 1 objects" in stderr
