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
peers in one thread (the tests) work the same as two processes. The name and the
messages live in :mod:`rtviewer.ui.window.instance_link` (no Qt), whose
:func:`~rtviewer.ui.window.instance_link.hand_over` lets a second launch hand over
before it starts Qt or the start-up loader.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6 import QtCore, QtNetwork, QtWidgets

from rtviewer.printable import printable
from rtviewer.ui.window.instance_link import (
    TIMEOUT_MS,
    decode_message,
    default_server_name,
    display_key,
    encode_message,
)

__all__ = ["TIMEOUT_MS", "InstanceServer", "ask_to_open", "bring_to_front",
           "claim_or_forward", "decode_message", "default_server_name", "display_key",
           "encode_message", "hand_off_text", "offer_to_open", "send_to_running_instance"]

log = logging.getLogger(__name__)

# A message larger than this is not from rtviewer: drop the connection.
_MAX_MESSAGE_BYTES = 1 << 20


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
