"""``rtviewer query NODE``: C-ECHO or C-FIND at patient, study or series level."""

from __future__ import annotations

import argparse

from rtviewer.cli.common import fail
from rtviewer.cli.net_common import add_node_arguments, resolve
from rtviewer.printable import printable


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``query``."""
    p = sub.add_parser("query", help="query a DICOM node (C-FIND), or test it (--echo)")
    add_node_arguments(p)
    p.add_argument("--echo", action="store_true", help="only send C-ECHO")
    p.add_argument("--level", choices=("patient", "study", "series"), default="study")
    p.add_argument("--patient-id", metavar="ID", help="Patient ID (wildcards * ?)")
    p.add_argument("--patient-name", metavar="NAME", help="Patient Name (wildcards * ?)")
    p.add_argument("--date-from", metavar="YYYYMMDD", help="first Study Date")
    p.add_argument("--date-to", metavar="YYYYMMDD", help="last Study Date")
    p.add_argument("--modality", metavar="MOD", help="e.g. CT, RTPLAN, RTDOSE, RTSTRUCT")
    p.add_argument("--study", metavar="UID", help="only series of this study")
    p.add_argument("--json", action="store_true", help="print the matches as JSON")
    return p


def run(args: argparse.Namespace) -> int:
    """Exit 0 on success, 1 when the node fails or is unreachable, 2 on bad arguments."""
    import json
    import sys

    from rtviewer.net.query import QueryFilters, find
    from rtviewer.net.scu import NetworkError, echo

    resolved = resolve(args, "query")
    if resolved is None:
        return 2
    _settings, node, local_aet = resolved
    try:
        if args.echo:
            status = echo(node, local_aet)
            print(f"C-ECHO {node}: status 0x{status:04X}")
            return 0 if status == 0 else 1
        filters = QueryFilters(args.patient_id, args.patient_name, args.date_from,
                               args.date_to, args.modality, args.study)
        result = find(node, args.level.upper(), filters, local_aet)
    except ValueError as exc:
        return fail("query", exc, 2)
    except NetworkError as exc:
        return fail("query", exc, 1)
    if args.json:
        print(json.dumps(list(result.rows), indent=1))
    else:
        for row in result.rows:
            print("\t".join(f"{k}={printable(v)}" for k, v in row.items()))
        print(f"{len(result.rows)} {args.level} match(es)", file=sys.stderr)
    return 0
