"""The window starts where nothing can be written and leaves nothing behind when it ends.

Run as subprocesses: the window is started, its DVH worker pool made busy, then
ended by SIGTERM (what a desktop session's logout or ``kill`` sends). A generous
timeout only detects a hang; nothing asserts how long anything takes.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from exit_checks import (
    AS_NOBODY,
    kill_marked,
    left_behind,
    marked_env,
    marked_processes,
    needs_proc,
    unprivileged_sandbox,
)
from testsupport import REPO_ROOT

HANG_S = 300  # hang detection only


def _start(args: list[str], env: dict[str, str], stderr_file: Path,
           prefix: tuple[str, ...] = ()) -> subprocess.Popen[bytes]:
    with stderr_file.open("wb") as stderr:
        return subprocess.Popen([*prefix, sys.executable, "-m", "rtviewer", *args], env=env,
                                cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=stderr)


def _wait_for(proc: subprocess.Popen[bytes], ready, what: str) -> None:  # noqa: ANN001
    deadline = time.monotonic() + HANG_S
    while not ready():
        assert proc.poll() is None, f"rtviewer exited before {what}: {proc.returncode}"
        assert time.monotonic() < deadline, f"no {what} within {HANG_S} s"
        time.sleep(0.05)


def _terminate(proc: subprocess.Popen[bytes]) -> int:
    time.sleep(0.5)  # let the event loop and the signal timer run
    proc.send_signal(signal.SIGTERM)
    return proc.wait(HANG_S)


def _home_env(home: Path, **extra: str) -> tuple[dict[str, str], str]:
    env, mark = marked_env(HOME=str(home), QT_QPA_PLATFORM="offscreen", **extra)
    for name in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "RTVIEWER_LOG_DIR",
                 "RTVIEWER_CACHE_DIR"):
        env.pop(name, None)
    return env, mark


def _assert_started_on_stderr(text: str, log_file: Path) -> None:
    assert "Traceback" not in text, text
    fallback = [ln for ln in text.splitlines() if "cannot write the log file" in ln]
    assert len(fallback) == 1, text  # said once
    assert fallback[0].startswith(f"rtviewer: cannot write the log file {log_file} (")
    assert fallback[0].endswith("); logging to stderr")
    assert "window shown" in text  # the log records went to stderr instead


@needs_proc
def test_window_starts_when_the_log_folder_cannot_be_created(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("HOME below a file: no folder can be made there, even by root")
    home = blocker / "home"
    env, mark = _home_env(home)
    err = tmp_path / "stderr.txt"
    proc = _start([], env, err)
    try:
        _wait_for(proc, lambda: "window shown" in err.read_text(), "window")
        assert _terminate(proc) == 0
        text = err.read_text()
        _assert_started_on_stderr(text, home / ".local/state/rtviewer/log/rtviewer.log")
        assert "Not a directory" in text
        assert left_behind(mark) == []
    finally:
        proc.kill()
        proc.wait()
        kill_marked(mark)


@needs_proc
@pytest.mark.privileges
def test_window_starts_for_a_user_whose_home_is_read_only():
    with unprivileged_sandbox("rtviewer-home-") as base:
        home = base / "home"
        home.mkdir(mode=0o555)
        env, mark = _home_env(home)
        err = base / "stderr.txt"
        proc = _start([], env, err, prefix=AS_NOBODY)
        try:
            _wait_for(proc, lambda: "window shown" in err.read_text(), "window")
            assert _terminate(proc) == 0
            text = err.read_text()
            _assert_started_on_stderr(text, home / ".local/state/rtviewer/log/rtviewer.log")
            assert "Permission denied" in text
            assert list(home.iterdir()) == []
            assert left_behind(mark) == []
        finally:
            proc.kill()
            proc.wait()
            kill_marked(mark)


@needs_proc
@pytest.mark.corpus
@pytest.mark.slow
def test_sigterm_with_busy_dvh_workers_quits_like_quit_and_leaves_no_process(
        corpus, tmp_path):
    env, mark = marked_env(HOME=str(tmp_path / "home"), QT_QPA_PLATFORM="offscreen",
                           RTVIEWER_LOG_DIR=str(tmp_path / "log"))
    env.pop("XDG_CONFIG_HOME", None)
    log = tmp_path / "log" / "rtviewer.log"
    proc = _start([str(corpus / "dicompyler-core")], env, tmp_path / "stderr.txt")
    try:
        # the forkserver and the DVH workers it forks share one command line
        _wait_for(proc, lambda: len([p for p, cmd in marked_processes(mark)
                                     if "forkserver" in cmd]) >= 2, "DVH worker process")
        assert _terminate(proc) == 0, (tmp_path / "stderr.txt").read_text()
        text = log.read_text()
        assert "worker threads and processes stopped" in text
        assert "Traceback" not in (tmp_path / "stderr.txt").read_text()
        # handled like Quit: the layout was saved
        assert "geometry=" in (tmp_path / "home/.config/rtviewer/rtviewer.conf").read_text()
        assert left_behind(mark) == []
    finally:
        proc.kill()
        proc.wait()
        kill_marked(mark)
