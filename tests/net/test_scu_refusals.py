"""How an association that never forms is reported to the user."""

from __future__ import annotations

import socket
import threading

import pytest

from rtviewer.config import Node
from rtviewer.net.scu import NetworkError, echo

pytestmark = pytest.mark.network


def _peer_that_hangs_up() -> tuple[socket.socket, threading.Thread]:
    """A listener that reads the A-ASSOCIATE-RQ and closes without answering."""
    server = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        conn, _addr = server.accept()
        with conn:
            conn.recv(65536)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return server, thread


def test_a_peer_closing_the_connection_is_named_as_an_abort_not_silence():
    server, thread = _peer_that_hangs_up()
    port = server.getsockname()[1]
    try:
        with pytest.raises(NetworkError) as raised:
            echo(Node("hangs-up", "HANGUP", "127.0.0.1", port), "RTVIEWER")
    finally:
        thread.join(10)
        server.close()
    message = str(raised.value)
    assert message.startswith(f"hangs-up (HANGUP@127.0.0.1:{port}) ")
    assert "closed the connection without accepting the association" in message
