"""Single instance: a second launch hands its paths to the running window."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import uuid

import pytest
from PySide6 import QtCore, QtNetwork, QtWidgets

from rtviewer.ui.window import instance_link, single_instance
from rtviewer.ui.window.single_instance import InstanceServer, send_to_running_instance


@pytest.fixture
def server_name():
    return f"rtviewer-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def server(qapp, server_name):
    srv = InstanceServer(server_name)
    assert srv.listen()
    yield srv
    srv.close()


def test_second_peer_hands_its_paths_to_the_first(qtbot, server, server_name, tmp_path):
    with qtbot.waitSignal(server.paths_received, timeout=3000) as blocker:
        acknowledged = send_to_running_instance([str(tmp_path), "relative/file.dcm"],
                                                server_name=server_name)
    assert acknowledged
    assert blocker.args == [[str(tmp_path), os.path.abspath("relative/file.dcm")]]


def test_an_empty_request_still_reaches_the_window(qtbot, server, server_name):
    with qtbot.waitSignal(server.paths_received, timeout=3000) as blocker:
        assert send_to_running_instance([], server_name=server_name)
    assert blocker.args == [[]]


def test_without_a_running_instance_nobody_acknowledges(qapp, server_name):
    start = time.monotonic()
    assert not send_to_running_instance(["/tmp"], server_name=server_name)
    assert time.monotonic() - start < 2.0, "a missing server must not cost the full timeout"


def test_claim_or_forward_makes_exactly_one_server(qtbot, server_name):
    first = single_instance.claim_or_forward([], server_name=server_name)
    assert isinstance(first, InstanceServer)
    try:
        with qtbot.waitSignal(first.paths_received, timeout=3000) as blocker:
            second = single_instance.claim_or_forward(["/data/export"],
                                                      server_name=server_name)
        assert second is None
        assert blocker.args == [["/data/export"]]
    finally:
        first.close()


def test_a_live_server_is_never_replaced(qapp, server, server_name):
    intruder = InstanceServer(server_name)
    assert not intruder.listen()


@pytest.mark.skipif(sys.platform == "win32", reason="stale socket files are a Unix matter")
def test_a_stale_socket_left_by_a_crash_is_taken_over(qtbot, server_name):
    path = os.path.join(QtCore.QDir.tempPath(), server_name)
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(path)  # bound, never listening: what a killed process leaves behind
    stale.close()
    assert os.path.exists(path)
    srv = InstanceServer(server_name)
    try:
        assert srv.listen()
        with qtbot.waitSignal(srv.paths_received, timeout=3000):
            assert send_to_running_instance(["/x"], server_name=server_name)
    finally:
        srv.close()


def test_garbage_is_dropped_without_a_signal(qtbot, server, server_name):
    client = QtNetwork.QLocalSocket()
    client.connectToServer(server_name)
    assert client.waitForConnected(1000)
    with qtbot.assertNotEmitted(server.paths_received, wait=300), \
            qtbot.waitSignal(client.disconnected, timeout=3000):
        client.write(b'{"paths": "not a list"}\n')
        client.flush()


def test_decode_rejects_what_is_not_a_request():
    with pytest.raises(ValueError, match="list of path strings"):
        single_instance.decode_message(b'{"paths": [1, 2]}')
    with pytest.raises(ValueError, match="not an rtviewer open request"):
        single_instance.decode_message(b"\xff\xfe")
    assert single_instance.decode_message(single_instance.encode_message(["/a"])) == ["/a"]


def test_server_names_differ_per_home(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path / "one"))
    one = single_instance.default_server_name()
    monkeypatch.setenv("HOME", str(tmp_path / "two"))
    assert single_instance.default_server_name() != one
    assert one.startswith("rtviewer-") and len(one) < 40  # fits Unix socket paths


@pytest.mark.parametrize("accept", [True, False])
def test_offer_to_open_brings_the_window_forward(qtbot, accept):
    window = QtWidgets.QWidget()
    qtbot.addWidget(window)
    window.showMinimized()
    opened: list[str] = []
    asked: list[list[str]] = []

    def confirm(parent, paths):
        asked.append(list(paths))
        return accept

    result = single_instance.offer_to_open(window, ["/a", "/b"], opened.append,
                                           confirm=confirm)
    assert not window.isMinimized() and window.isVisible()
    assert asked == [["/a", "/b"]]
    assert opened == result == (["/a", "/b"] if accept else [])


def test_a_real_second_launch_exits_after_handing_over(qtbot, tmp_path):
    """`python -m rtviewer FOLDER` with a running instance for the same user: exit 0, no window."""
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "QT_QPA_PLATFORM": "offscreen",
           "RTVIEWER_LOG_DIR": str(tmp_path / "log")}
    name_cmd = [sys.executable, "-c",
                "from rtviewer.ui.window.single_instance import default_server_name as n; "
                "print(n())"]
    name = subprocess.run(name_cmd, env=env, capture_output=True, text=True,
                          check=True).stdout.strip()
    srv = InstanceServer(name)
    assert srv.listen()
    folder = tmp_path / "export"
    folder.mkdir()
    proc = None
    try:
        with qtbot.waitSignal(srv.paths_received, timeout=30000) as blocker:
            proc = subprocess.Popen([sys.executable, "-m", "rtviewer", str(folder)], env=env)
        assert proc.wait(timeout=30) == 0
    finally:
        srv.close()
        if proc is not None and proc.poll() is None:  # it opened a window after all
            proc.kill()
            proc.wait()
    assert blocker.args == [[str(folder)]]
    log_text = (tmp_path / "log" / "rtviewer.log").read_text()
    assert "handed" in log_text and str(folder) in log_text
    # found before the fork: no start-up loader read the folder only to be stopped
    assert "start-up loader" not in log_text


def test_the_socket_file_is_where_qt_listens(server, server_name):
    assert instance_link.socket_path(server_name) == server._server.fullServerName()
    assert instance_link.socket_path(server_name, {"TMPDIR": "/var/tmp/x/"}) == \
        f"/var/tmp/x/{server_name}"


def test_the_hand_over_without_qt_reaches_the_qt_server(qtbot, server, server_name):
    """What a second launch sends before it starts Qt, acknowledged by the running window."""
    answers: list[bool] = []
    thread = threading.Thread(target=lambda: answers.append(instance_link.hand_over(
        ["/data/export", "relative"], server_name=server_name)))
    with qtbot.waitSignal(server.paths_received, timeout=3000) as blocker:
        thread.start()
    qtbot.waitUntil(lambda: not thread.is_alive(), timeout=3000)
    assert answers == [True]
    assert blocker.args == [["/data/export", os.path.abspath("relative")]]


def test_the_hand_over_without_qt_finds_nobody_at_once(server_name, tmp_path, monkeypatch):
    start = time.monotonic()
    assert not instance_link.hand_over(["/x"], server_name=server_name)  # no file
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(tmp_path / server_name))  # a crashed instance's file: refused
    stale.close()
    assert not instance_link.hand_over(["/x"], server_name=server_name)
    assert time.monotonic() - start < 1.0


def test_the_hand_over_module_imports_no_qt():
    code = ("import sys, rtviewer.ui.window.instance_link; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('PySide6', 'pyqtgraph', 'numpy')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


@pytest.mark.parametrize(("env", "key"), [
    ({"DISPLAY": ":0"}, "x11::0"),
    ({"DISPLAY": ":0.1"}, "x11::0"),  # another screen of the same display
    ({"DISPLAY": "localhost:10.0"}, "x11:localhost:10"),  # ssh -X
    ({"WAYLAND_DISPLAY": "wayland-0", "XDG_RUNTIME_DIR": "/run/user/1000",
      "DISPLAY": ":0"}, "wayland:/run/user/1000/wayland-0"),
    ({"QT_QPA_PLATFORM": "offscreen", "DISPLAY": ":0"}, "qpa:offscreen"),
])
def test_display_key_names_where_the_window_appears(env, key):
    assert single_instance.display_key(env) == key


def test_a_launch_on_another_display_starts_its_own_window(qtbot, monkeypatch):
    """The running window is on X display :0; a launch on :1 must not hand over to it."""
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    first = single_instance.claim_or_forward([])
    assert first is not None
    try:
        monkeypatch.setenv("DISPLAY", ":0.0")  # same display: hands over
        assert single_instance.send_to_running_instance(["/a"])
        monkeypatch.setenv("DISPLAY", ":1")
        second = single_instance.claim_or_forward(["/b"])
        assert second is not None and second.server_name != first.server_name
        second.close()
    finally:
        first.close()


def test_the_hand_off_question_names_the_whole_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    demo = tmp_path / ".cache" / "rtviewer" / "demo" / "0.1.0"
    text = single_instance.hand_off_text([str(demo)])
    assert "~/.cache/rtviewer/demo/0.1.0" in text and "this folder or file" in text
    text = single_instance.hand_off_text(["/data/export\nforged", "/b"])
    assert "/data/export\\nforged\n/b" in text and "these 2 folders or files" in text
