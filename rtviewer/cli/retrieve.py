"""``rtviewer retrieve NODE UID``: C-GET (default) or C-MOVE into the store."""

from __future__ import annotations

import argparse

from rtviewer.cli.common import fail
from rtviewer.cli.net_common import add_node_arguments, received_printer, resolve
from rtviewer.printable import progress_line


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``retrieve``."""
    p = sub.add_parser("retrieve", help="retrieve a study, series or patient from a node")
    add_node_arguments(p)
    p.add_argument("uid", metavar="UID",
                   help="Study Instance UID (or Series UID / Patient ID with --level)")
    p.add_argument("--level", choices=("patient", "study", "series"), default="study")
    p.add_argument("--study", metavar="UID", help="the study of a series (--level series; "
                   "looked up with C-FIND when omitted)")
    p.add_argument("--move", action="store_true",
                   help="C-MOVE to our own receiver (started for the transfer; the node "
                   "must know our AE title, host and port) instead of C-GET")
    p.add_argument("--store", metavar="DIR", help="store folder (default: the receiver's)")
    return p


def run(args: argparse.Namespace) -> int:
    """Exit 0 when everything arrived, 1 on failures, 2 on bad arguments."""
    import sys
    from dataclasses import replace
    from pathlib import Path

    from rtviewer.config import default_store
    from rtviewer.net.scu import NetworkError

    resolved = resolve(args, "retrieve")
    if resolved is None:
        return 2
    settings, node, local_aet = resolved
    receiver = settings.receiver
    store = Path(args.store or receiver.store or default_store()).expanduser()
    receiver = replace(receiver, store=str(store))
    try:
        result = _retrieve(args, node, local_aet, receiver, store)
    except ValueError as exc:
        return fail("retrieve", exc, 2)
    except (NetworkError, OSError) as exc:
        return fail("retrieve", exc, 1)
    print(f"rtviewer retrieve: {result.completed} completed, {result.failed} failed, "
          f"{result.warning} warnings (status 0x{result.status:04X}) into {store}",
          file=sys.stderr)
    return 0 if result.status == 0 and result.failed == 0 else 1


def _study_of_series(node, local_aet: str, series_uid: str) -> str:  # noqa: ANN001
    from pydicom.dataset import Dataset
    from pynetdicom import build_context

    from rtviewer.net.scu import associate
    from rtviewer.net.tables import COMMAND_SYNTAXES, QR_FIND_MODELS

    ds = Dataset()
    ds.QueryRetrieveLevel = "SERIES"
    ds.SeriesInstanceUID = series_uid
    ds.StudyInstanceUID = ""
    with associate(node, local_aet,
                   [build_context(QR_FIND_MODELS[1], list(COMMAND_SYNTAXES))],
                   service="Query/Retrieve (C-FIND)") as assoc:
        for status, match in assoc.send_c_find(ds, QR_FIND_MODELS[1]):
            if status and int(status.Status) in (0xFF00, 0xFF01) and match is not None:
                return str(match.StudyInstanceUID)
    raise ValueError(f"{node.name} knows no series {series_uid}")


def _retrieve(args, node, local_aet, receiver, store):  # noqa: ANN001, ANN202
    from rtviewer.net.indexer import StoreIndexer
    from rtviewer.net.receive import StorageServer
    from rtviewer.net.retrieve import c_get, c_move, retrieve_identifier

    level = args.level.upper()
    study = args.study
    if level == "SERIES" and not study:
        study = _study_of_series(node, local_aet, args.uid)
    identifier = retrieve_identifier(level, args.uid, study)
    indexer = StoreIndexer(store)
    on_received = received_printer(indexer)

    shown = []

    def progress(done: int, total: int) -> None:
        progress_line(f"{done}/{total} sub-operations")
        shown.append(done)

    try:
        if not args.move:
            return c_get(node, identifier, store, local_aet, on_received=on_received,
                         max_object_bytes=int(receiver.max_object_mb * 2**20),
                         progress=progress)
        with StorageServer(receiver, store, on_received):
            return c_move(node, identifier, receiver.ae_title, local_aet, progress=progress)
    finally:
        if shown:
            progress_line("", last=True)  # ends the progress line (terminal only)
        indexer.request()
        indexer.wait_idle(60)
        indexer.stop()
