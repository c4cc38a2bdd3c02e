"""``rtviewer export``: a chain, a study or a patient to a new folder, optionally anonymised."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from rtviewer.cli.common import fail, print_document, quiet_logging
from rtviewer.printable import printable, progress_line

EXIT_LEAK = 1
EXIT_USAGE = 2


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``export``."""
    p = sub.add_parser(
        "export", help="export a plan with its chain, a study or a patient to a new folder",
        description="Write the given files -- each with the objects its chain needs "
                    "(dose → plan → structures → images, and the doses, records and RT "
                    "Images of a plan) -- or every file of the given folders to a new "
                    "folder, named by SOP Instance UID, with manifest.json. With "
                    "--anonymise the files go through dicognito (PS3.15 Annex E basic "
                    "profile, modified dates, clean descriptors) and are re-read to prove "
                    "no original identifier is left. Exit status: 0 done, 1 an exported "
                    "file still holds an original identifier (named on stderr), 2 usage "
                    "error or unreadable input.")
    p.add_argument("paths", nargs="+", metavar="FOLDER_OR_FILES")
    p.add_argument("--out", required=True, metavar="DIR",
                   help="a new (or empty) folder, outside the source")
    p.add_argument("--root", metavar="DIR",
                   help="where to look for the chain of the given files "
                        "(default: the folder holding them)")
    p.add_argument("--anonymise", "--anonymize", action="store_true",
                   help="remap UIDs, replace names and IDs, shift dates, drop private tags")
    p.add_argument("--patient-id", metavar="NEW", help="the exported Patient ID")
    p.add_argument("--patient-name", metavar="NEW", help="the exported Patient's Name")
    p.add_argument("--date-shift", default="auto", metavar="DAYS|auto",
                   help="days added to every date (negative: earlier); auto (default): a "
                        "secret shift of 62 to 730 days back, one per patient")
    p.add_argument("--keep-private", action="store_true", help="keep private elements")
    p.add_argument("--include-burnt-in", action="store_true",
                   help="export RT Images and secondary captures that may hold burnt-in "
                        "text even when anonymising")
    p.add_argument("--list-text", action="store_true",
                   help="print the free text anonymisation keeps (ROI names, plan and beam "
                        "labels, descriptions) as JSON and stop; add \"new\" to an entry "
                        "and pass the file to --text-map to change it")
    p.add_argument("--text-map", metavar="JSON",
                   help="replacements for kept free text: [{\"keyword\", \"value\", \"new\"}]")
    p.add_argument("--zip", action="store_true", help="also pack the folder as DIR.zip")
    return p


def _date_shift(text: str) -> int | None:
    if text == "auto":
        return None
    try:
        days = int(text)
    except ValueError:
        raise ValueError(
            f"--date-shift must be a whole number of days or auto, not {text!r}") from None
    if days == 0:
        raise ValueError("--date-shift 0 would keep the original dates")
    return days


def _text_map(path: str | None) -> dict[tuple[str, str], str]:
    if path is None:
        return {}
    try:
        entries = json.loads(Path(path).read_text(encoding="utf-8"))
        return {(str(e["keyword"]), str(e["value"])): str(e["new"])
                for e in entries if "new" in e}
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise ValueError(f"--text-map {path}: expected a JSON list of "
                         f"{{keyword, value, new}} ({exc})") from exc


def _root(args: argparse.Namespace, paths: list[Path]) -> Path:
    if args.root:
        return Path(args.root).resolve()
    folders = [p if p.is_dir() else p.parent for p in paths]
    return Path(os.path.commonpath([str(f) for f in folders]))


def _options(args: argparse.Namespace) -> Any:
    from rtviewer.dicom.export.writer import ExportOptions

    if not args.anonymise and (args.patient_id or args.patient_name or args.text_map
                               or args.date_shift != "auto"):
        raise ValueError("--patient-id, --patient-name, --date-shift and --text-map "
                         "need --anonymise (a plain export copies the files unchanged)")
    return ExportOptions(anonymise=args.anonymise, patient_id=args.patient_id,
                         patient_name=args.patient_name,
                         date_shift_days=_date_shift(args.date_shift),
                         keep_private=args.keep_private,
                         include_burnt_in=args.include_burnt_in,
                         text_edits=_text_map(args.text_map))


def _select(args: argparse.Namespace) -> tuple[Any, list[Any]]:
    from rtviewer.dicom.export.selection import select_chain
    from rtviewer.dicom.scan import scan
    from rtviewer.errors import RtViewerError

    paths = [Path(p).resolve() for p in args.paths]
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise RtViewerError(f"{missing[0]}: no such file or folder")
    result = scan(_root(args, paths))
    seeds = [i.path for i in result.instances()
             if any(i.path == p or p in i.path.parents for p in paths)]
    if not seeds:
        raise RtViewerError(f"no DICOM object found in {', '.join(map(str, paths))}")
    return result, select_chain(result, seeds)


def _list_text(instances: list[Any]) -> int:
    from rtviewer.dicom.export.free_text import collect_free_text
    from rtviewer.dicom.files import read_dataset

    datasets = (read_dataset(i.path, stop_before_pixels=True)[0] for i in instances)
    rows = [{"keyword": k, "value": v, "count": n} for k, v, n in collect_free_text(datasets)]
    print_document(json.dumps(rows, indent=1, ensure_ascii=False))
    return 0


def _progress(done: int, total: int) -> None:
    progress_line(f"exporting: {done}/{total} files", last=done >= total)


def _report(result: Any, anonymise: bool) -> int:
    err = sys.stderr
    for path, status in result.burnt_in:
        state = "NOT exported" if path in result.withheld else "exported"
        print(f"rtviewer export: warning: {printable(path)}: Burned In Annotation "
              f"{status}: the pixels may hold identifying text ({state})", file=err)
    if result.withheld:
        print(f"rtviewer export: {len(result.withheld)} image(s) withheld; "
              "--include-burnt-in exports them after you have looked", file=err)
    for note in result.notes:
        print(f"rtviewer export: note: {printable(note)}", file=err)
    for leak in result.leaks:
        print(f"rtviewer export: LEAK: {printable(leak.message())}", file=err)
    verdict = (f"verified: no original identifier in {len(result.files)} files"
               if anonymise and not result.leaks else "")
    print(f"rtviewer export: {len(result.files)} files written to {result.out_dir}"
          + (f"; {verdict}" if verdict else ""), file=err)
    return EXIT_LEAK if result.leaks else 0


def run(args: argparse.Namespace) -> int:
    """Run ``export``: 0 done, 1 an identifier was left, 2 usage error or bad input."""
    from rtviewer.dicom.export.writer import export, zip_folder
    from rtviewer.errors import RtViewerError

    quiet_logging("rtviewer")
    try:
        options = _options(args)
        scan_result, instances = _select(args)
        if args.list_text:
            return _list_text(instances)
        result = export(scan_result, instances, Path(args.out), options,
                        progress=_progress if sys.stderr.isatty() else None)
    except (RtViewerError, ValueError) as exc:
        return fail("export", exc, EXIT_USAGE)
    status = _report(result, args.anonymise)
    if args.zip:
        print(f"rtviewer export: packed {zip_folder(result.out_dir)}", file=sys.stderr)
    return status
