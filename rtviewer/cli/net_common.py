"""Helpers shared by ``rtviewer query``, ``retrieve`` and ``send``: nodes and errors."""

from __future__ import annotations

import argparse
import logging

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
