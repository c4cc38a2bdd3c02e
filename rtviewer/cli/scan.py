"""``rtviewer scan PATH``: print the patient → study → series tree (or ``--json``)."""

from __future__ import annotations

import argparse
import io
import json
import sys

from rtviewer.cli.common import fail, print_document, quiet_logging
from rtviewer.printable import progress_line


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``scan``."""
    p = sub.add_parser("scan", help="scan a folder and print the patient/study/series tree")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    p.add_argument("--no-cache", action="store_true", help="ignore and do not update the cache")
    return p


def _progress(done: int, total: int) -> None:
    progress_line(f"scanning: {done}/{total} files", last=done >= total)


def run(args: argparse.Namespace) -> int:
    """Run ``scan``: exit 0 when the scan completed, 2 when PATH cannot be read."""
    from rtviewer.cli.scan_report import format_tree, to_json_document
    from rtviewer.dicom.scan import scan
    from rtviewer.errors import RtViewerError

    quiet_logging("rtviewer")
    try:
        result = scan(args.path, progress=_progress if sys.stderr.isatty() else None,
                      use_cache=not args.no_cache)
    except RtViewerError as exc:
        return fail("scan", exc, 2)
    # ASCII JSON: file names that are not valid UTF-8 survive as \udcXX escapes.
    text = json.dumps(to_json_document(result), indent=1, sort_keys=True) \
        if args.json else format_tree(result)
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(errors="backslashreplace")
    print_document(text)
    return 0
