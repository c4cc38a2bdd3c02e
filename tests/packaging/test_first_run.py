"""First run on a fresh account: no configuration, a window, Ctrl-C quits and settings persist."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT from another process is POSIX")
def test_fresh_home_starts_and_ctrl_c_saves_the_layout(tmp_path):
    home = tmp_path / "home"  # does not even exist yet
    env = {**os.environ, "HOME": str(home), "QT_QPA_PLATFORM": "offscreen",
           "RTVIEWER_LOG_DIR": str(tmp_path / "log")}
    env.pop("XDG_CONFIG_HOME", None)
    proc = subprocess.Popen([sys.executable, "-m", "rtviewer"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        log = tmp_path / "log" / "rtviewer.log"
        deadline = time.monotonic() + 60
        while not (log.is_file() and "window shown" in log.read_text()):
            assert proc.poll() is None, f"rtviewer exited early: {proc.returncode}"
            assert time.monotonic() < deadline, "rtviewer did not start within 60 s"
            time.sleep(0.2)
        time.sleep(1)  # let the event loop and the Ctrl-C timer run
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "could not start" not in log.read_text()
    conf = (home / ".config" / "rtviewer" / "rtviewer.conf").read_text()
    assert "geometry=" in conf and "state=" in conf
