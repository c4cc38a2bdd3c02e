"""One rtviewer per user and display: a second launch hands its paths to the running window.

The first instance listens on a local socket (``QLocalServer``: a Unix domain socket
or a Windows named pipe) whose name is derived from the user, the home folder and
the display or session the window appears on (:func:`display_key`): a launch on
another X display, Wayland session or Windows session, where the user could not see
the running window, starts its own. A
later launch connects, sends ``{"paths": [...]}`` as one JSON line, waits for the
``ok`` reply and exits; the running window comes forward and offers to open the
paths. When nobody answers (first launch, or a crashed instance left a stale
socket), the launch becomes the server itself.

Both sides run Qt's event loop rather than blocking ``waitFor*`` calls, so two
peers in one thread (the tests) work the same as two processes.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from PySide6 import QtCore, QtNetwork, QtWidgets

from rtviewer.printable import printable

log = logging.getLogger(__name__)

#: How long a second launch waits for the running instance to acknowledge.
TIMEOUT_MS = 3000
# A message larger than this is not from rtviewer: drop the connection.
_MAX_MESSAGE_BYTES = 1 << 20


def display_key(environ: Mapping[str, str] | None = None) -> str:
    """Where this launch's window would appear: the display or session, as text.

    Wayland: runtime folder and ``WAYLAND_DISPLAY``; X11: ``DISPLAY`` without its
    screen number (``:0`` and ``:0.0`` are one display); an offscreen or minimal
    Qt platform has its own key; Windows: the session id (a remote desktop
    session is another); otherwise ``console`` (macOS: one GUI session per user).
    """
    env = os.environ if environ is None else environ
    platform = env.get("QT_QPA_PLATFORM", "").split(":")[0]
    if platform in ("offscreen", "minimal", "vnc", "eglfs", "linuxfb"):
        return f"qpa:{platform}"
    if env.get("WAYLAND_DISPLAY"):
        return f"wayland:{env.get('XDG_RUNTIME_DIR', '')}/{env['WAYLAND_DISPLAY']}"
    if env.get("DISPLAY"):
        host, _, number = env["DISPLAY"].rpartition(":")
        return f"x11:{host}:{number.split('.')[0]}"
    if sys.platform == "win32":
        return f"windows-session:{_windows_session_id()}"
    return "console"


def _windows_session_id() -> int:
    import ctypes

    session = ctypes.c_ulong(0)
    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    if not kernel32.ProcessIdToSessionId(kernel32.GetCurrentProcessId(),
                                         ctypes.byref(session)):
        return -1
    return int(session.value)


def default_server_name() -> str:
    """Return the socket name for the current user, home folder and display.

    Hashed so it is a valid pipe/socket name on every platform; a different
    ``HOME`` (another user, or a test's temporary home) or another display
    (:func:`display_key`) gives another name.
    """
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        user = str(os.getuid()) if hasattr(os, "getuid") else "user"
    home = os.path.expanduser("~")
    key = f"{user}\0{home}\0{display_key()}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return f"rtviewer-{digest}"


def encode_message(paths: Sequence[str]) -> bytes:
    """Return the wire form of an open request: one UTF-8 JSON line with absolute paths."""
    absolute = [os.path.abspath(os.path.expanduser(p)) for p in paths]
    return json.dumps({"version": 1, "paths": absolute}).encode("utf-8") + b"\n"


def decode_message(line: bytes) -> list[str]:
    """Return the paths of one request line; raise ``ValueError`` when malformed."""
    try:
        message = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"not an rtviewer open request: {err}") from err
    paths = message.get("paths") if isinstance(message, dict) else None
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise ValueError("an rtviewer open request needs a list of path strings")
    return paths


def send_to_running_instance(
    paths: Sequence[str], *, server_name: str | None = None, timeout_ms: int = TIMEOUT_MS
) -> bool:
    """Hand ``paths`` to a running rtviewer; return True when it acknowledged them.

    Needs a ``QCoreApplication``. False means no instance answered: the caller
    should start its own window.
    """
    name = server_name or default_server_name()
    socket = QtNetwork.QLocalSocket()
    loop = QtCore.QEventLoop()
    reply = bytearray()
    socket.connected.connect(lambda: socket.write(encode_message(paths)))

    def on_ready_read() -> None:
        reply.extend(bytes(socket.readAll().data()))
        if b"\n" in reply:
            loop.quit()

    socket.readyRead.connect(on_ready_read)
    socket.errorOccurred.connect(lambda _err: loop.quit())
    socket.disconnected.connect(loop.quit)
    timer = QtCore.QTimer(loop)  # owned by the loop: it can never fire on a dead loop
    timer.setSingleShot(True)
    timer.timeout.connect(loop.quit)
    timer.start(timeout_ms)
    socket.connectToServer(name)
    if socket.state() != QtNetwork.QLocalSocket.LocalSocketState.UnconnectedState:
        loop.exec()
    timer.stop()
    acknowledged = reply.strip() == b"ok"
    socket.blockSignals(True)  # no slot may run on this function's dead locals later
    socket.abort()
    return acknowledged


class InstanceServer(QtCore.QObject):
    """The running instance's end: emits :attr:`paths_received` for every request."""

    #: The absolute paths a later launch asked to open (possibly empty: just come forward).
    paths_received = QtCore.Signal(list)

    def __init__(self, server_name: str | None = None, parent: QtCore.QObject | None = None):
        super().__init__(parent)
        self.server_name = server_name or default_server_name()
        self._server = QtNetwork.QLocalServer(self)
        # Only this user may connect (Unix: socket mode 0700 dir; Windows: pipe ACL).
        self._server.setSocketOptions(QtNetwork.QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_new_connection)
        self._buffers: dict[QtNetwork.QLocalSocket, bytearray] = {}

    def listen(self) -> bool:
        """Start listening, unless a live instance already does; clear a stale socket first.

        Probing first matters: on Unix Qt binds the socket elsewhere and renames it
        into place, which would silently take the name from a running instance.
        """
        probe = QtNetwork.QLocalSocket()
        probe.connectToServer(self.server_name)
        live = probe.waitForConnected(500)
        probe.abort()
        if live:
            return False
        QtNetwork.QLocalServer.removeServer(self.server_name)  # a crashed instance's file
        return self._server.listen(self.server_name)

    def close(self) -> None:
        """Stop listening (the socket file is removed) and drop open connections."""
        for client in list(self._buffers):
            self._drop(client)
        self._server.close()

    def _on_new_connection(self) -> None:
        while self._server.hasPendingConnections():
            client = self._server.nextPendingConnection()
            self._buffers[client] = bytearray()
            client.readyRead.connect(self._on_ready_read)
            client.disconnected.connect(self._on_disconnected)

    def _on_disconnected(self) -> None:
        client = self.sender()
        if isinstance(client, QtNetwork.QLocalSocket):
            self._drop(client)

    def _drop(self, client: QtNetwork.QLocalSocket) -> None:
        self._buffers.pop(client, None)
        client.blockSignals(True)
        client.abort()
        client.deleteLater()

    def _on_ready_read(self) -> None:
        client = self.sender()
        if not isinstance(client, QtNetwork.QLocalSocket) or client not in self._buffers:
            return
        buffer = self._buffers[client]
        buffer.extend(bytes(client.readAll().data()))
        if len(buffer) > _MAX_MESSAGE_BYTES:
            log.warning("dropping an oversized message on %s", self.server_name)
            self._drop(client)
            return
        if b"\n" not in buffer:
            return
        try:
            paths = decode_message(bytes(buffer.split(b"\n", 1)[0]))
        except ValueError as err:
            log.warning("ignoring a message on %s: %s", self.server_name, err)
            self._drop(client)
            return
        buffer.clear()
        client.write(b"ok\n")
        client.flush()
        log.info("another launch asked to open %s", paths)
        self.paths_received.emit(paths)


def claim_or_forward(
    paths: Sequence[str], *, server_name: str | None = None
) -> InstanceServer | None:
    """Become the running instance, or hand ``paths`` to the one already running.

    Returns
    -------
    InstanceServer or None
        The listening server when this process should show its window; None when
        a running instance took the paths and this process should exit.
    """
    if send_to_running_instance(paths, server_name=server_name):
        return None
    server = InstanceServer(server_name)
    if not server.listen():
        log.warning("could not listen on %s; running without single-instance hand-over",
                    server.server_name)
    return server


def bring_to_front(window: QtWidgets.QWidget) -> None:
    """Show ``window`` un-minimised, raised and active (as far as the window manager allows)."""
    if window.isMinimized():
        window.showNormal()
    window.show()
    window.raise_()
    window.activateWindow()


def hand_off_text(paths: Sequence[str]) -> str:
    """The question shown when another launch hands ``paths`` over.

    Each path in full (the home folder as ``~``): a last component alone says
    nothing (``0.1.0`` for the demo patients in the cache).
    """
    home = Path.home()

    def shown(path: str) -> str:
        p = Path(path)
        text = f"~/{p.relative_to(home)}" if p.is_relative_to(home) and p != home else path
        return printable(text)

    names = "\n".join(shown(p) for p in paths)
    what = "this folder or file" if len(paths) == 1 else f"these {len(paths)} folders or files"
    return f"Another launch of rtviewer asked to open {what}:\n\n{names}\n\nOpen it here?"


def ask_to_open(parent: QtWidgets.QWidget, paths: Sequence[str]) -> bool:
    """Ask whether to open ``paths`` in the running window; True for yes."""
    answer = QtWidgets.QMessageBox.question(
        parent,
        "Open in rtviewer",
        hand_off_text(paths),
        QtWidgets.QMessageBox.StandardButton.Open | QtWidgets.QMessageBox.StandardButton.Cancel,
        QtWidgets.QMessageBox.StandardButton.Open,
    )
    return answer == QtWidgets.QMessageBox.StandardButton.Open


def offer_to_open(
    window: QtWidgets.QWidget,
    paths: Sequence[str],
    open_path: Callable[[str], object],
    *,
    confirm: Callable[[QtWidgets.QWidget, Sequence[str]], bool] = ask_to_open,
) -> list[str]:
    """Bring ``window`` forward and, if the user agrees, open each path; return those opened."""
    bring_to_front(window)
    if not paths or not confirm(window, paths):
        return []
    for path in paths:
        open_path(path)
    return list(paths)
