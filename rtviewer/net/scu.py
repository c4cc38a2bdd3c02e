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
              ae: AE | None = None, service: str = "the services asked for") -> Iterator[Any]:
    """An established association to ``node``, released (or aborted) on exit.

    ``service`` names what the contexts are for (``"Query/Retrieve"``), so that a
    node answering but accepting none of them is reported as not supporting it.

    Raises
    ------
    NetworkError
        The node is unreachable, rejected the association, or accepted no context.
    """
    ae = ae or new_ae(local_aet)
    for cx in contexts:
        if cx.abstract_syntax is None:
            raise ValueError(f"presentation context {cx.context_id} has no abstract syntax")
        ae.add_requested_context(cx.abstract_syntax, cx.transfer_syntax)
    assoc = ae.associate(node.host, node.port, ae_title=node.ae_title,
                         ext_neg=list(ext_neg) or None, evt_handlers=list(evt_handlers) or None)
    if not assoc.is_established:
        raise NetworkError(f"{node.name} ({node}) {_why_not(assoc, service)}")
    try:
        yield assoc
    except BaseException:
        assoc.abort()
        raise
    else:
        if assoc.is_established:
            assoc.release()


def _why_not(assoc: Any, service: str) -> str:
    """Why an association attempt ended without an association."""
    if assoc.is_rejected:
        return "rejected the association"
    if assoc.rejected_contexts and not assoc.accepted_contexts:
        # It answered (A-ASSOCIATE-AC) but refused every presentation context.
        return (f"does not support {service} (it answered but refused all "
                f"{len(assoc.rejected_contexts)} presentation contexts offered)")
    if assoc.is_aborted:
        # An A-ABORT or a closed connection instead of an A-ASSOCIATE-AC/RJ: some
        # peers (Orthanc under load) drop an AE they refuse rather than reject it.
        return "closed the connection without accepting the association (aborted)"
    return f"did not answer within {assoc.acse_timeout:g} s"


def echo(node: Node, local_aet: str) -> int:
    """Send C-ECHO; return the status (0 = success).

    Raises
    ------
    NetworkError
        No association or no response.
    """
    cx = build_context(VERIFICATION, list(COMMAND_SYNTAXES))
    with associate(node, local_aet, [cx], service="Verification (C-ECHO)") as assoc:
        status = assoc.send_c_echo()
        if not status:
            raise NetworkError(f"{node.name} ({node}) gave no C-ECHO response")
        return int(status.Status)
