"""Retrieve from a node: C-GET (objects come back on our association) or C-MOVE (to our SCP).

C-GET needs no open port and no configuration at the archive, so it is the default;
C-MOVE needs the archive to know rtviewer's AE title, host and port, and a running
:class:`~rtviewer.net.receive.StorageServer` to receive the objects.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydicom.dataset import Dataset
from pynetdicom import build_context, build_role, evt

from rtviewer.config import Node
from rtviewer.net.receive import Received, storage_contexts, store_event
from rtviewer.net.scu import NetworkError, associate, new_ae
from rtviewer.net.tables import (
    COMMAND_SYNTAXES,
    QR_GET_MODELS,
    QR_MOVE_MODELS,
    STORAGE_CLASSES,
)

__all__ = ["RetrieveResult", "retrieve_identifier", "c_get", "c_move"]

Progress = Callable[[int, int], None]
_PENDING = (0xFF00, 0xFF01)


@dataclass(frozen=True)
class RetrieveResult:
    """How a retrieve ended.

    Parameters
    ----------
    completed, failed, warning : int
        Sub-operation counts reported by the node.
    received : tuple of Received
        Objects stored by us (C-GET only; C-MOVE objects arrive at the SCP).
    status : int
        The final status (0 = success, 0xB000 = some sub-operations failed, 0xFE00 = cancelled).
    cancelled : bool
    """

    completed: int
    failed: int
    warning: int
    received: tuple[Received, ...]
    status: int
    cancelled: bool = False


def retrieve_identifier(level: str, uid: str, study_uid: str | None = None) -> Dataset:
    """The identifier of a C-GET/C-MOVE: ``uid`` is a Patient ID, Study or Series UID.

    Raises
    ------
    ValueError
        Unknown level, or SERIES without its study UID.
    """
    ds = Dataset()
    ds.QueryRetrieveLevel = level
    if level == "PATIENT":
        ds.PatientID = uid
    elif level == "STUDY":
        ds.StudyInstanceUID = uid
    elif level == "SERIES":
        if not study_uid:
            raise ValueError("a series is retrieved with its Study Instance UID")
        ds.StudyInstanceUID = study_uid
        ds.SeriesInstanceUID = uid
    else:
        raise ValueError(f"unknown retrieve level {level!r}")
    return ds


def _model(level: str, models: tuple[str, ...]) -> str:
    return models[0] if level == "PATIENT" else models[1]


def c_get(node: Node, identifier: Dataset, store: Path, local_aet: str, *,
          max_object_bytes: int = 2**40, progress: Progress | None = None,
          cancel: Callable[[], bool] | None = None,
          on_received: Callable[[Received], None] | None = None) -> RetrieveResult:
    """Retrieve with C-GET into ``store``.

    Raises
    ------
    NetworkError
        No association, or no response from the node.
    """
    received: list[Received] = []
    lock = threading.Lock()

    def handle(event: Any) -> int:
        status, item = store_event(event, store, max_object_bytes)
        if item is not None:
            with lock:
                received.append(item)
            if on_received is not None:
                on_received(item)
        return status

    model = _model(str(identifier.QueryRetrieveLevel), QR_GET_MODELS)
    ae = new_ae(local_aet)
    roles = [build_role(sop.uid, scp_role=True) for sop in STORAGE_CLASSES]
    contexts = [build_context(model, list(COMMAND_SYNTAXES)), *storage_contexts()]
    with associate(node, local_aet, contexts, roles, [(evt.EVT_C_STORE, handle)],
                   ae=ae, service="Query/Retrieve (C-GET)") as assoc:
        responses = assoc.send_c_get(identifier, model)
        result = _follow(node, assoc, responses, model, progress, cancel)
    return RetrieveResult(*result[:3], tuple(received), *result[3:])


def c_move(node: Node, identifier: Dataset, destination_aet: str, local_aet: str, *,
           progress: Progress | None = None,
           cancel: Callable[[], bool] | None = None) -> RetrieveResult:
    """Ask ``node`` to C-MOVE to ``destination_aet`` (normally our running SCP).

    Raises
    ------
    NetworkError
        No association, or no response from the node.
    """
    model = _model(str(identifier.QueryRetrieveLevel), QR_MOVE_MODELS)
    with associate(node, local_aet, [build_context(model, list(COMMAND_SYNTAXES))],
                   service="Query/Retrieve (C-MOVE)") as assoc:
        responses = assoc.send_c_move(identifier, destination_aet, model)
        result = _follow(node, assoc, responses, model, progress, cancel)
    return RetrieveResult(*result[:3], (), *result[3:])


def _follow(node: Node, assoc: Any, responses: Any, model: str, progress: Progress | None,
            cancel: Callable[[], bool] | None) -> tuple[int, int, int, int, bool]:
    """Read C-GET/C-MOVE responses: progress, cancellation (C-CANCEL), final counts."""
    counts = [0, 0, 0]
    cancel_sent = False
    code = 0
    for status, _identifier in responses:
        if not status:
            raise NetworkError(f"{node.name}: no response to the retrieve (timeout or abort)")
        code = int(status.Status)
        counts = [int(status.get(k) or 0) for k in (
            "NumberOfCompletedSuboperations", "NumberOfFailedSuboperations",
            "NumberOfWarningSuboperations")]
        remaining = int(status.get("NumberOfRemainingSuboperations") or 0)
        if progress is not None:
            progress(sum(counts), sum(counts) + remaining)
        if code in _PENDING and cancel is not None and cancel() and not cancel_sent:
            assoc.send_c_cancel(1, query_model=model)
            cancel_sent = True
    if code not in (0x0000, 0xB000, 0xFE00):
        raise NetworkError(f"{node.name}: retrieve failed with status 0x{code:04X}")
    return counts[0], counts[1], counts[2], code, code == 0xFE00 or cancel_sent
