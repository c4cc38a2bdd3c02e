#!/usr/bin/env python3
"""Generate rtviewer/dicom/conformance/standard_tables.json from the DICOM standard's tables.

Source: the JSON copies of DICOM PS3.3's IOD, module and attribute tables that highdicom
(MIT, https://github.com/ImagingDataCommons/highdicom) publishes in its wheel under
``highdicom/_standard/``; highdicom builds them from PS3.3 (through the dicom-standard
project's JSON, ``bin/create_iods_modules.py`` in its repository). They are the only
machine-readable copy of PS3.3's tables on PyPI: pydicom ships the data dictionary and
UIDs but no IOD or module tables, and the standard's own XML is not on PyPI.

Only what ``rtviewer check`` reads is kept (``rtviewer.dicom.conformance.tables``): every
SOP Class -> IOD, every IOD's modules with their usage, and per module the rows that
either sit at top level (any type: they tell which module is present) or are Type 1/2 at
most ``MAX_SEQUENCE_DEPTH`` sequences deep. The output is deterministic, one IOD or
module per line so that a new edition's changes read as a diff.

Usage (highdicom is a development dependency, never a runtime one)::

    python scripts/make_standard_tables.py                   # from the installed highdicom
    python scripts/make_standard_tables.py --wheel highdicom-0.28.2-py3-none-any.whl

``tests/test_standard_tables.py`` fails when the committed file and this output differ.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import zipfile
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

HIGHDICOM_VERSION = "0.28.2"  # re-read the tables by hand before moving to another version
OUTPUT = (Path(__file__).resolve().parents[1]
          / "rtviewer" / "dicom" / "conformance" / "standard_tables.json")
MAX_SEQUENCE_DEPTH = 3  # as rtviewer.dicom.conformance.tables.MAX_SEQUENCE_DEPTH
_FILES = ("sop_class_iod_map.json", "iod_module_map.json", "module_attribute_map.json")


def _installed_reader() -> Callable[[str], dict]:
    """Read the tables of the installed highdicom (checked to be the pinned version)."""
    found = version("highdicom")
    if found != HIGHDICOM_VERSION:
        raise SystemExit(f"highdicom {found} is installed; the tables are read from "
                         f"{HIGHDICOM_VERSION} (pip install highdicom=={HIGHDICOM_VERSION})")
    spec = importlib.util.find_spec("highdicom")
    assert spec is not None and spec.submodule_search_locations
    folder = Path(next(iter(spec.submodule_search_locations))) / "_standard"
    return lambda name: json.loads((folder / name).read_text(encoding="utf-8"))


def _wheel_reader(wheel: Path) -> Callable[[str], dict]:
    """Read the tables straight from a highdicom wheel (``pip download highdicom==…``)."""
    if f"highdicom-{HIGHDICOM_VERSION}-" not in wheel.name:
        raise SystemExit(f"{wheel.name}: expected a highdicom {HIGHDICOM_VERSION} wheel")
    archive = zipfile.ZipFile(wheel)
    return lambda name: json.loads(archive.read(f"highdicom/_standard/{name}"))


def _kept(row: dict) -> bool:
    path = row["path"]
    return not path or (row["type"] in ("1", "2") and len(path) <= MAX_SEQUENCE_DEPTH)


def build(read: Callable[[str], dict]) -> str:
    """The generated file's text from highdicom's three tables."""
    sop_iod, iod_modules, module_rows = (read(name) for name in _FILES)
    iods = {iod: [[m["key"], m["usage"]] for m in modules]
            for iod, modules in sorted(iod_modules.items())}
    used = {key for modules in iods.values() for key, _usage in modules}
    modules = {key: [[r["keyword"], r["type"], r["path"]] for r in rows if _kept(r)]
               for key, rows in sorted(module_rows.items()) if key in used}
    header = {
        "source": f"highdicom {HIGHDICOM_VERSION} wheel (PyPI, MIT), highdicom/_standard/"
                  f"{{{','.join(_FILES)}}}: DICOM PS3.3's IOD, module and attribute tables",
        "generated_by": "scripts/make_standard_tables.py (do not edit by hand)",
        "kept": f"module rows at top level, or Type 1/2 at most {MAX_SEQUENCE_DEPTH} "
                "sequences deep",
        "row": ["keyword", "type", "path of enclosing sequence keywords"],
    }
    lines = ["{"]
    lines += [f"{json.dumps(k)}: {json.dumps(v)}," for k, v in header.items()]
    lines.append(f'"sop_class_iod": {json.dumps(dict(sorted(sop_iod.items())))},')
    for name, table in (("iod_modules", iods), ("module_attributes", modules)):
        lines.append(f"{json.dumps(name)}: {{")
        body = [f"{json.dumps(k)}: {json.dumps(v, separators=(',', ':'))}"
                for k, v in table.items()]
        lines.append(",\n".join(body))
        lines.append("}," if name == "iod_modules" else "}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    """Write (or with ``--check`` compare) the generated tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help="read a highdicom wheel, not the install")
    parser.add_argument("--out", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    read = _wheel_reader(args.wheel) if args.wheel else _installed_reader()
    args.out.write_text(build(read), encoding="utf-8")


if __name__ == "__main__":
    main()
