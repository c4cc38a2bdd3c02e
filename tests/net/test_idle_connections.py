"""Idle TCP connections cannot lock senders out (issue 16, point 9)."""

from __future__ import annotations

import logging
import socket
import struct
import time

import pytest

from rtviewer.net.slots import ARTIM_S
from tests.net.test_bad_peers import _ae, _plan

pytestmark = pytest.mark.network

def _idle(port: int, n: int) -> list[socket.socket]:
    """``n`` TCP connections that never send a byte."""
    socks = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(n)]
    time.sleep(0.3)  # the server has accepted them all
    return socks


def test_silent_connections_hold_no_slot_and_are_closed(start_scp, caplog):
    caplog.set_level(logging.WARNING, logger="rtviewer.net.slots")
    scp = start_scp(max_associations=4)
    idle = _idle(scp.port, 4)
    try:
        started = time.monotonic()
        sender = _ae("TPS").associate("127.0.0.1", scp.port, ae_title="RTVIEWER")
        assert sender.is_established  # at once, not after the idle ones time out
        assert time.monotonic() - started < ARTIM_S
        assert sender.send_c_store(_plan()).Status == 0x0000
        sender.release()
        for sock in idle:  # the server closes each one after ARTIM
            sock.settimeout(ARTIM_S + 20)
            assert sock.recv(1) == b""
    finally:
        for sock in idle:
            sock.close()

    def dropped_lines() -> list[str]:
        return [r.getMessage() for r in caplog.records
                if "sent no A-ASSOCIATE-RQ" in r.getMessage()]

    deadline = time.monotonic() + 10  # each is logged just after its socket closes
    while len(dropped_lines()) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    dropped = dropped_lines()
    assert len(dropped) == 4 and all("127.0.0.1" in m for m in dropped)
    assert len(scp.received) == 1


def test_half_an_association_request_does_not_keep_a_connection(start_scp):
    """A PDU header announcing 200 bytes, then 2 of them: closed after ARTIM, not never."""
    scp = start_scp(max_associations=1)
    socks = _idle(scp.port, 3)
    try:
        for sock in socks:
            sock.sendall(b"\x01\x00" + struct.pack(">I", 200) + b"\x00\x01")
        for sock in socks:
            sock.settimeout(ARTIM_S + 20)
            assert sock.recv(1) == b""
    finally:
        for sock in socks:
            sock.close()
    sender = _ae("TPS").associate("127.0.0.1", scp.port, ae_title="RTVIEWER")
    assert sender.is_established
    assert sender.send_c_store(_plan()).Status == 0x0000
    sender.release()


def test_a_refusal_for_want_of_slots_names_who_holds_them(start_scp, caplog):
    caplog.set_level(logging.WARNING, logger="rtviewer.net.slots")
    scp = start_scp(max_associations=2)
    held = [_ae(f"HOLDER{n}").associate("127.0.0.1", scp.port, ae_title="RTVIEWER")
            for n in range(2)]
    try:
        assert all(a.is_established for a in held)
        extra = _ae("LATE").associate("127.0.0.1", scp.port, ae_title="RTVIEWER")
        assert extra.is_rejected
    finally:
        for a in held:
            a.release()
    (message,) = [r.getMessage() for r in caplog.records if "rejected" in r.getMessage()]
    assert message.startswith("association from LATE@127.0.0.1:")
    assert "all 2 slots held by HOLDER0@127.0.0.1:" in message and "HOLDER1@" in message
