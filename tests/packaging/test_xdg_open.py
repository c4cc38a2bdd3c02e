"""Under Xvfb: make rtviewer the folder handler, then ``xdg-open FOLDER`` starts it on FOLDER.

The whole desktop path runs for real: ``rtviewer --install-desktop`` writes the
entry, ``xdg-mime default`` selects it, ``xdg-open`` reads it and runs its ``Exec``
line, and rtviewer (a real xcb window on the virtual display) logs the folder it
was started with. Everything lives under a temporary HOME.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

TOOLS = ("Xvfb", "xdg-open", "xdg-mime", "update-desktop-database")
missing = [t for t in TOOLS if shutil.which(t) is None]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform != "linux", reason="freedesktop.org desktops only"),
    pytest.mark.skipif(bool(missing), reason=f"not installed: {', '.join(missing)} "
                       "(Debian: xvfb xdg-utils desktop-file-utils)"),
]


@pytest.fixture
def display(tmp_path):
    """A fresh Xvfb server; yields its DISPLAY string."""
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-nolisten", "tcp", "-screen", "0", "1280x800x24"],
        pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    assert number.isdigit(), "Xvfb did not report a display number"
    yield f":{number}"
    server.terminate()
    server.wait(timeout=10)


def _desktop_env(tmp_path: Path, display: str) -> dict[str, str]:
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("XDG_", "KDE_", "GNOME_", "DESKTOP_SESSION", "QT_QPA"))}
    env.update({
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_DIRS": "/usr/local/share:/usr/share",
        "DISPLAY": display,
        "RTVIEWER_LOG_DIR": str(tmp_path / "log"),
        "PATH": f"{Path(sys.executable).parent}:{env.get('PATH', '/usr/bin:/bin')}",
    })
    return env


def _wait_for_start(log: Path, folder: Path, timeout_s: float) -> int:
    """Return the pid that logged starting on ``folder``; fail after ``timeout_s``."""
    pattern = re.compile(r" (\d+) INFO rtviewer\.app: rtviewer \S+ starting with \['"
                         + re.escape(str(folder)) + r"'\]")
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        match = pattern.search(log.read_text()) if log.is_file() else None
        if match:
            return int(match[1])
        time.sleep(0.2)
    raise AssertionError(f"rtviewer never started on {folder}; log: "
                         f"{log.read_text() if log.is_file() else '(none)'}")


def _wait_for_line(log: Path, text: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if text in log.read_text():
            return
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never logged; log: {log.read_text()}")


def test_xdg_open_on_a_folder_starts_rtviewer_on_it(tmp_path, display):
    env = _desktop_env(tmp_path, display)
    run = dict(env=env, capture_output=True, text=True, timeout=60, check=True)
    subprocess.run([sys.executable, "-m", "rtviewer", "--install-desktop"], **run)
    subprocess.run(["xdg-mime", "default", "rtviewer.desktop", "inode/directory"], **run)
    query = subprocess.run(["xdg-mime", "query", "default", "inode/directory"], **run)
    assert query.stdout.strip() == "rtviewer.desktop"

    folder = tmp_path / "RT export 1"
    folder.mkdir()
    opener = subprocess.Popen(["xdg-open", str(folder)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    log = tmp_path / "log" / "rtviewer.log"
    pid = None
    try:
        pid = _wait_for_start(log, folder, timeout_s=60)
        assert opener.poll() is None, "xdg-open runs the viewer in the foreground"
        if importlib.util.find_spec("rtviewer.ui.window.main_window") is not None:
            _wait_for_line(log, f"rtviewer.app: opening {folder}", timeout_s=60)
    finally:
        if pid is not None:
            os.kill(pid, signal.SIGTERM)
        try:
            opener.wait(timeout=20)
        except subprocess.TimeoutExpired:
            opener.kill()
            opener.wait()
