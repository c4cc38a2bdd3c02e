"""``rtviewer receive``: run the Storage SCP in the foreground until SIGINT or SIGTERM."""

from __future__ import annotations

import argparse

from rtviewer.cli.common import fail, quiet_logging
from rtviewer.cli.net_common import received_printer


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``receive``."""
    p = sub.add_parser("receive", help="receive DICOM objects (Storage SCP) into a store folder",
                       description="Listen for C-STORE and C-ECHO; one line on stdout per "
                       "object received. Settings default to the settings file "
                       "(rtviewer/settings.json in the user config folder).")
    p.add_argument("--port", type=int, help="TCP port (default 11112)")
    p.add_argument("--aet", metavar="NAME", help="our AE title (default RTVIEWER)")
    p.add_argument("--bind", metavar="ADDR",
                   help="address to listen on (default 127.0.0.1; 0.0.0.0 = every interface)")
    p.add_argument("--allow-aet", metavar="NAME", nargs="+", action="extend",
                   help="accept only these calling AE titles")
    p.add_argument("--max-associations", type=int, metavar="N",
                   help="simultaneous associations (default 4)")
    p.add_argument("--max-object-mb", type=float, metavar="MB",
                   help="largest object accepted, MiB (default 2048)")
    p.add_argument("--store", metavar="DIR", help="store folder (created if absent)")
    return p


def settings_from_args(args: argparse.Namespace):  # noqa: ANN201 - lazy import of config
    """The receiver settings: the settings file, overridden by the options given."""
    from dataclasses import replace

    from rtviewer.config import default_store, load_settings

    base = load_settings().receiver
    changes = {k: v for k, v in {
        "port": args.port, "ae_title": args.aet, "bind": args.bind,
        "allowed_calling_aets": tuple(args.allow_aet) if args.allow_aet else None,
        "max_associations": args.max_associations, "max_object_mb": args.max_object_mb,
        "store": args.store}.items() if v is not None}
    settings = replace(base, **changes)
    if settings.store is None:
        settings = replace(settings, store=str(default_store()))
    return settings


def run(args: argparse.Namespace) -> int:
    """Serve until SIGINT/SIGTERM (exit 0); exit 2 on bad settings or a busy port."""
    from pathlib import Path

    quiet_logging("rtviewer receive")
    try:
        settings = settings_from_args(args)
    except ValueError as exc:
        return fail("receive", exc, 2)
    store = Path(settings.store).expanduser()
    try:
        store.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return fail("receive", f"cannot create the store {store}: {exc}", 2)
    return _serve(settings, store)


def _serve(settings, store) -> int:  # noqa: ANN001 - lazy-imported types
    """Run the SCP and the store indexer until SIGINT/SIGTERM."""
    import signal
    import sys
    import threading

    from rtviewer.net.indexer import StoreIndexer
    from rtviewer.net.receive import StorageServer

    indexer = StoreIndexer(store)
    on_received = received_printer(indexer)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_a: stop.set())
    server = StorageServer(settings, store, on_received)
    try:
        server.start()
    except OSError as exc:
        status = fail("receive", f"cannot listen on {settings.bind}:{settings.port}: {exc}", 2)
        indexer.stop()
        return status
    host, port = server.address
    print(f"rtviewer receive: {settings.ae_title} listening on {host}:{port}, store {store}",
          file=sys.stderr, flush=True)
    while not stop.wait(0.5):
        pass
    server.stop()
    indexer.wait_idle(30)
    indexer.stop()
    print(f"rtviewer receive: stopped after {server.received_count} objects",
          file=sys.stderr, flush=True)
    return 0
