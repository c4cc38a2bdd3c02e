"""The single-instance socket without Qt: its name, its messages, a hand-over before Qt starts.

:mod:`rtviewer.ui.window.single_instance` runs both ends with Qt (``QLocalServer``,
``QLocalSocket``). A second launch must find the running window *before* it forks
the start-up loader (:mod:`rtviewer.ui.workers.prefetch`, which may fork only while no
thread exists, so before Qt) and before it imports Qt and pyqtgraph: on Unix the
socket is a file, ``QDir::tempPath()/NAME``, and :func:`hand_over` speaks the same
one-line protocol through the standard library. Standard library only: importing
this module imports no Qt.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import socket
import sys
import time
from collections.abc import Mapping, Sequence

__all__ = ["TIMEOUT_MS", "decode_message", "default_server_name", "display_key",
           "encode_message", "hand_over", "socket_path"]

#: How long a second launch waits for the running instance to acknowledge.
TIMEOUT_MS = 3000


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


def socket_path(server_name: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The file ``QLocalServer`` listens on for ``server_name``; None on Windows (a pipe).

    Qt puts a relative name in ``QDir::tempPath()``: ``TMPDIR`` (cleaned) or ``/tmp``.
    """
    if sys.platform == "win32" or not hasattr(socket, "AF_UNIX"):
        return None
    env = os.environ if environ is None else environ
    return os.path.join(os.path.normpath(env.get("TMPDIR") or "/tmp"), server_name)


def hand_over(paths: Sequence[str], *, server_name: str | None = None,
              timeout_ms: int = TIMEOUT_MS) -> bool:
    """Hand ``paths`` to a running rtviewer without Qt; True when it acknowledged them.

    False when nobody listens (the usual first launch: one failed ``connect``, well
    under a millisecond), on Windows, or on any error: the caller then starts its
    own window, whose Qt hand-over tries once more.
    """
    path = socket_path(server_name or default_server_name())
    if path is None or not os.path.exists(path):
        return False
    deadline = time.monotonic() + timeout_ms / 1000
    reply = b""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout_ms / 1000)
            sock.connect(path)
            sock.sendall(encode_message(paths))
            while b"\n" not in reply and len(reply) < 64:
                sock.settimeout(max(0.001, deadline - time.monotonic()))
                chunk = sock.recv(64)
                if not chunk:
                    break
                reply += chunk
    except OSError:  # refused (a crashed instance's file), timed out, reset
        return False
    return reply.strip() == b"ok"
