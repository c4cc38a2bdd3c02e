"""``rtviewer demo --out DIR``: write the built-in teaching patients as DICOM files."""

from __future__ import annotations

import argparse

from rtviewer.cli.common import fail


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``demo``."""
    p = sub.add_parser(
        "demo", help="write the synthetic teaching patients (thorax, prostate, HDR brachy) to DIR",
        description="Write the synthetic teaching patients as DICOM files, "
                    "DIR/<PatientID>/<SOPInstanceUID>.dcm. DIR is created if absent; an "
                    "existing DIR must be empty (nothing is ever overwritten).")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (absent or empty)")
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``demo``; exit status 2 when the output folder is not empty."""
    from pathlib import Path

    out = Path(args.out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        return fail("demo", f"{out} exists and is not an empty folder; nothing written", 2)
    from rtviewer.demo.generate import generate_demo

    files = generate_demo(out)
    print(f"wrote {len(files)} files to {out}")
    return 0
