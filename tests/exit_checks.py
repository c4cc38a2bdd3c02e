"""Find the processes a test's subprocess left behind (Linux ``/proc``).

Every process started from a test's subprocess -- the forkserver, the
multiprocessing resource tracker, pool workers -- inherits its environment, so a
marker variable in that environment finds them all, even once re-parented to init.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

MARKER = "RTVIEWER_TEST_PROCESS_MARK"

needs_proc = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="finds processes through Linux /proc")


def marked_env(**extra: str) -> tuple[dict[str, str], str]:
    """A copy of this environment with a fresh marker (and ``extra``); returns (env, mark)."""
    mark = uuid.uuid4().hex
    return {**os.environ, MARKER: mark, **extra}, mark


def marked_processes(mark: str) -> list[tuple[int, str]]:
    """(pid, command line) of every live process whose environment holds ``mark``."""
    needle = f"{MARKER}={mark}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            if needle in environ.split(b"\0"):
                stat = (entry / "stat").read_text()
                if stat.rsplit(")", 1)[1].split()[0] == "Z":
                    continue  # a zombie has exited; its parent reaps it
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                found.append((int(entry.name), cmdline))
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return found


def left_behind(mark: str, grace_s: float = 20.0) -> list[tuple[int, str]]:
    """The marked processes still alive after ``grace_s`` (an exiting child may linger)."""
    deadline = time.monotonic() + grace_s
    while (alive := marked_processes(mark)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return alive


def kill_marked(mark: str) -> None:
    """Clean up after a failed test: SIGKILL whatever the subprocess left behind."""
    for pid, _cmd in marked_processes(mark):
        with contextlib.suppress(OSError):
            os.kill(pid, 9)


#: Run a command as the unprivileged user 65534 (root writes anywhere: a permission
#: test as root proves nothing).
AS_NOBODY = ("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups")


@contextlib.contextmanager
def unprivileged_sandbox(prefix: str) -> Iterator[Path]:
    """A temporary folder (mode 755) for a test run via :data:`AS_NOBODY`; skips without root."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to run as the unprivileged user 65534")
    base = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        base.chmod(0o755)
        yield base
    finally:
        shutil.rmtree(base)
