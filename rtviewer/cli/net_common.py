"""Helpers shared by the network commands (``query``, ``retrieve``, ``send``, ``receive``)."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable
from typing import Any

from rtviewer.cli.common import fail, quiet_logging


def add_node_arguments(p: argparse.ArgumentParser) -> None:
    """``NODE`` and ``--local-aet`` (every SCU command takes them)."""
    p.add_argument("node", metavar="NODE",
                   help="a node named in the settings file, or AET@host:port")
    p.add_argument("--local-aet", metavar="NAME",
                   help="our calling AE title (default: local_ae_title of the settings)")


def resolve(args: argparse.Namespace, command: str):  # noqa: ANN201 - lazy imports
    """(settings, node, local AE title), or None after printing why on stderr."""
    from rtviewer.config import load_settings, parse_node

    quiet_logging(f"rtviewer {command}")
    logging.getLogger("pynetdicom").setLevel(logging.CRITICAL)  # our message says it
    try:
        settings = load_settings()
        node = parse_node(args.node, settings)
    except ValueError as exc:
        fail(command, exc, 2)
        return None
    return settings, node, args.local_aet or settings.local_ae_title


def received_printer(indexer: Any) -> Callable[[Any], None]:
    """A Storage SCP callback: print each object received, then ask ``indexer`` to index it.

    One line on stdout per object, ``path<TAB>SOP Instance UID<TAB>description``,
    whole even when several associations store at once. ``indexer`` is a
    :class:`rtviewer.net.indexer.StoreIndexer` (imported lazily, hence ``Any``).
    """
    import threading

    from rtviewer.net.receive import Received, describe
    from rtviewer.printable import printable_row

    lock = threading.Lock()

    def on_received(item: Received) -> None:
        with lock:  # whole lines even with simultaneous associations
            fields = [item.stored.path, item.sop_instance_uid, describe(item)]
            print("\t".join(printable_row(fields)), flush=True)
        indexer.request()

    return on_received
