"""Associations to a remote node (shared by echo, query, retrieve and send)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from pynetdicom import AE, build_context
from pynetdicom.presentation import PresentationContext

from rtviewer.config import Node
from rtviewer.net.tables import COMMAND_SYNTAXES, VERIFICATION

__all__ = ["NetworkError", "associate", "echo"]


class NetworkError(Exception):
    """A node could not be reached, refused us, or answered with a failure."""


def new_ae(local_aet: str) -> AE:
    """An AE for one SCU operation, with bounded timeouts (nothing waits forever)."""
    ae = AE(ae_title=local_aet)
    ae.acse_timeout = 30
    ae.dimse_timeout = 120
    ae.network_timeout = 60
    ae.connection_timeout = 15
    return ae


@contextmanager
def associate(node: Node, local_aet: str, contexts: Sequence[PresentationContext] = (),
              ext_neg: Sequence[Any] = (), evt_handlers: Sequence[Any] = (),
              ae: AE | None = None) -> Iterator[Any]:
    """An established association to ``node``, released (or aborted) on exit.

    Raises
    ------
    NetworkError
        The node is unreachable, rejected the association, or accepted no context.
    """
    ae = ae or new_ae(local_aet)
    for cx in contexts:
        ae.add_requested_context(cx.abstract_syntax, cx.transfer_syntax)
    assoc = ae.associate(node.host, node.port, ae_title=node.ae_title,
                         ext_neg=list(ext_neg) or None, evt_handlers=list(evt_handlers) or None)
    if not assoc.is_established:
        why = "rejected the association" if assoc.is_rejected else "did not answer"
        raise NetworkError(f"{node.name} ({node}) {why}")
    try:
        yield assoc
    except BaseException:
        assoc.abort()
        raise
    else:
        if assoc.is_established:
            assoc.release()


def echo(node: Node, local_aet: str) -> int:
    """Send C-ECHO; return the status (0 = success).

    Raises
    ------
    NetworkError
        No association or no response.
    """
    cx = build_context(VERIFICATION, list(COMMAND_SYNTAXES))
    with associate(node, local_aet, [cx]) as assoc:
        status = assoc.send_c_echo()
        if not status:
            raise NetworkError(f"{node.name} ({node}) gave no C-ECHO response")
        return int(status.Status)
