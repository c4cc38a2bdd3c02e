"""``rtviewer scan PATH``: print the patient → study → series tree."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``scan``."""
    p = sub.add_parser("scan", help="scan a folder and print the patient/study/series tree")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``scan``."""
    raise NotImplementedError("scan is being written")
