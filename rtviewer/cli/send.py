"""``rtviewer send NODE PATH...``: C-STORE files, folders, or a plan with its chain."""

from __future__ import annotations

import argparse

from rtviewer.cli.common import fail
from rtviewer.cli.net_common import add_node_arguments, resolve
from rtviewer.printable import printable_row


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``send``."""
    p = sub.add_parser("send", help="send DICOM files (or a plan with its chain) to a node")
    add_node_arguments(p)
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    p.add_argument("--chain", action="store_true",
                   help="PATHs are RT Plans: also send their structure set, its images, and "
                   "the doses, RT Images and records referencing the plan (found in the "
                   "plan's folder)")
    return p


def _files(paths: list[str], chain: bool) -> list:  # noqa: ANN202 - lazy imports
    from pathlib import Path

    from rtviewer.dicom.scan import scan
    from rtviewer.net.send import plan_chain_paths

    out: list[Path] = []
    for text in paths:
        path = Path(text).resolve()
        if chain:
            out += plan_chain_paths(scan(path.parent), path)
        elif path.is_dir():
            out += [i.path for i in scan(path).instances()]
        else:
            out.append(path)
    return list(dict.fromkeys(out))


def run(args: argparse.Namespace) -> int:
    """Exit 0 when the node stored every object, 1 otherwise, 2 on bad arguments."""
    import sys

    from rtviewer.errors import RtViewerError
    from rtviewer.net.scu import NetworkError
    from rtviewer.net.send import send_files

    resolved = resolve(args, "send")
    if resolved is None:
        return 2
    _settings, node, local_aet = resolved
    try:
        files = _files(args.paths, args.chain)
    except (ValueError, RtViewerError) as exc:
        return fail("send", exc, 2)
    try:
        result = send_files(node, files, local_aet)
    except NetworkError as exc:
        return fail("send", exc, 1)
    for item in result.items:
        print("\t".join(printable_row([item.path, item.sop_instance_uid or "-", item.message])))
    print(f"rtviewer send: {result.sent} of {len(result.items)} stored by {node}",
          file=sys.stderr)
    return 0 if result.sent == len(result.items) else 1
