"""Association slots of the Storage SCP: idle connections cannot hold them.

pynetdicom counts every open TCP connection as an association against
``maximum_associations``, including one that never sends its A-ASSOCIATE-RQ: four
silent connections locked a real sender out for the 30 s ACSE timeout, and
reopening them kept it out. Here

* the ARTIM timer (PS3.8 9.1.5; pynetdicom's ``acse_timeout``) is :data:`ARTIM_S`
  seconds, so a connection that has not asked for an association by then is closed;
* only connections that have sent an A-ASSOCIATE-RQ count against the limit;
* a connection dropped that way, and a sender refused for want of a slot, are
  logged with who held the slots;
* until its A-ASSOCIATE-RQ has arrived whole, a connection's socket times out
  after :data:`ARTIM_S` (pynetdicom reads a PDU with blocking calls, so a peer
  sending half a request would otherwise keep its thread forever), then after
  :data:`NETWORK_TIMEOUT_S` without a byte inside one PDU.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from typing import Any

from pynetdicom import AE, evt

__all__ = ["ARTIM_S", "NETWORK_TIMEOUT_S", "SlotAE", "SlotLog"]

#: Seconds a connection may stay open without sending A-ASSOCIATE-RQ (ARTIM).
ARTIM_S = 5.0
#: Seconds a PDU that has begun may stall without a byte (the SCP's network timeout).
NETWORK_TIMEOUT_S = 60.0
_log = logging.getLogger(__name__)
# PS3.8 table 9-10: Sta1 idle (before the connection is handled, or after it closed),
# Sta2 connection open, awaiting A-ASSOCIATE-RQ. Neither holds an association.
_NO_ASSOCIATION = frozenset({"Sta1", "Sta2"})


class SlotAE(AE):
    """A pynetdicom AE whose association limit ignores connections awaiting their RQ."""

    @property
    def active_associations(self) -> list[Any]:
        """The association threads that hold a slot (requestors; acceptors past their RQ)."""
        return [a for a in super().active_associations
                if a.is_requestor or a.dul.state_machine.current_state not in _NO_ASSOCIATION]


def _set_timeout(assoc: Any, seconds: float) -> None:
    """Bound every blocking read of the association's socket to ``seconds``."""
    raw = getattr(getattr(assoc.dul, "socket", None), "socket", None)
    if raw is not None:
        with contextlib.suppress(OSError):  # already closed
            raw.settimeout(seconds)


def _peer(assoc: Any) -> str:
    """``AET@host:port`` of the requestor (``?`` for the AE title before its RQ)."""
    who = assoc.requestor
    title = str(who.ae_title).strip() or "?"
    return f"{title}@{who.address}:{who.port}"


class SlotLog:
    """Event handlers logging idle connections dropped and who held the slots when full."""

    def __init__(self, ae: AE) -> None:
        self._ae = ae
        self._opened: dict[int, float] = {}
        self._requested: set[int] = set()
        self._lock = threading.Lock()

    def handlers(self) -> list[tuple[Any, Any]]:
        """The (event, handler) pairs to pass to ``start_server``."""
        return [(evt.EVT_CONN_OPEN, self._open), (evt.EVT_REQUESTED, self._request),
                (evt.EVT_CONN_CLOSE, self._close), (evt.EVT_REJECTED, self._rejected)]

    def holders(self) -> list[str]:
        """The peers holding a slot now, ``AET@host:port``."""
        return sorted(_peer(a) for a in self._ae.active_associations
                      if a.is_acceptor and a.is_established)

    def _open(self, event: Any) -> None:
        with self._lock:
            self._opened[id(event.assoc)] = time.monotonic()
        _set_timeout(event.assoc, ARTIM_S)

    def _request(self, event: Any) -> None:
        with self._lock:
            self._requested.add(id(event.assoc))
        _set_timeout(event.assoc, NETWORK_TIMEOUT_S)

    def _close(self, event: Any) -> None:
        key = id(event.assoc)
        with self._lock:
            opened = self._opened.pop(key, None)
            requested = key in self._requested
            self._requested.discard(key)
        if opened is not None and not requested:
            _log.warning("closed a connection from %s:%s that sent no A-ASSOCIATE-RQ "
                         "within %.1f s (ARTIM %g s)", event.assoc.requestor.address,
                         event.assoc.requestor.port, time.monotonic() - opened, ARTIM_S)

    def _rejected(self, event: Any) -> None:
        assoc = event.assoc
        holders = self.holders()
        if len(holders) >= self._ae.maximum_associations:
            _log.warning("association from %s rejected: all %d slots held by %s",
                         _peer(assoc), self._ae.maximum_associations, ", ".join(holders))
        else:
            _log.warning("association from %s rejected", _peer(assoc))
