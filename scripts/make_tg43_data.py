#!/usr/bin/env python3
"""Generate rtviewer/core/tg43_sources.json from the AAPM/ESTRO consensus spreadsheets.

Source: the TG-43 consensus spreadsheets of the joint AAPM/ESTRO High-Energy
Brachytherapy Dosimetry (HEBD) working group (Perez-Calatayud J, Ballester F, Das RK et
al., Med Phys 39(5):2904-2929 (2012)), as the ESTRO website distributed them, copied in
the project's workspace under ``shared/reference/tg43-consensus/`` (see its README.md for
where each copy came from). Every number is read from a cell, never typed: the output
names the workbook, sheet and cell (range) of each table, and keeps the spreadsheet's own
marks per F(r, theta) cell ("B" boldface/underlined = interpolated or extrapolated by the
working group, "I" italics = inside the source, "" = tabulated).

The spreadsheets' first row/column at r = 0 cm is the working group's nearest-neighbour
extrapolation to r = 0, not data; it is left out (the engine extrapolates to small r the
same way, by holding the first tabulated r).

Usage (xlrd, which reads the old .xls format, is a development dependency only)::

    python scripts/make_tg43_data.py [REFERENCE_FOLDER]

``tests/core/test_tg43_data.py`` re-reads the spreadsheets (when present) and fails when
the committed file and this output differ.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

OUTPUT = Path(__file__).resolve().parents[1] / "rtviewer" / "core" / "tg43_sources.json"
DEFAULT_REFERENCE = Path("/work/shared/reference/tg43-consensus")

#: (key, display name, workbook relative to the reference folder, sheet, isotope,
#:  DICOM/vendor names that identify the source, in lower case).
SOURCES = (
    ("mHDR-v2", "Elekta (Nucletron) microSelectron mHDR-v2 / v2r Ir-192 HDR",
     "mhdr-v2/192ir-hdr-nucletron-mhdr-v2.xls", "mHDR-v2", "Ir-192",
     ("mhdr-v2", "mhdr v2", "mhdrv2", "mhdr-v2r")),
    ("GammaMed Plus HDR", "Varian GammaMed Plus HDR Ir-192",
     "gammamed-plus/192ir-hdr_gammamed_plus.xls", "HDR Plus", "Ir-192",
     ("gammamed plus hdr", "gammamed hdr plus", "gammamedplus hdr")),
    ("GammaMed Plus PDR", "Varian GammaMed Plus PDR Ir-192",
     "gammamed-plus/192ir-pdr_gammamed_plus.xls", "PDR plus", "Ir-192",
     ("gammamed plus pdr", "gammamed pdr plus", "gammamedplus pdr")),
)
HEADER_ROW = 10  # 0-based row of "r (cm)" / theta headers (row 11 in the sheets)
LAMBDA_CELL = (4, 2)  # C5
LENGTH_CELL = (9, 2)  # C10
FIRST_THETA_COLUMN = 5  # F


def _cell(row: int, col: int) -> str:
    from xlrd.formula import cellname
    return str(cellname(row, col))


def _mark(book: Any, sheet: Any, row: int, col: int) -> str:
    font = book.font_list[book.xf_list[sheet.cell_xf_index(row, col)].font_index]
    if font.italic:
        return "I"
    return "B" if (font.bold or font.underline_type) else ""


def _number(sheet: Any, row: int, col: int) -> float:
    value = sheet.cell_value(row, col)
    if not isinstance(value, float):
        raise ValueError(f"{sheet.name}!{_cell(row, col)} is {value!r}, not a number")
    return value


def _radial(sheet: Any) -> tuple[list[float], list[float], str, str]:
    rows = []
    for row in range(HEADER_ROW + 1, sheet.nrows):
        r = sheet.cell_value(row, 1)
        if not isinstance(r, float):
            break
        if r > 0.0:
            rows.append(row)
    r_cm = [_number(sheet, row, 1) for row in rows]
    g = [_number(sheet, row, 2) for row in rows]
    return (r_cm, g, f"{_cell(rows[0], 1)}:{_cell(rows[-1], 1)}",
            f"{_cell(rows[0], 2)}:{_cell(rows[-1], 2)}")


def _anisotropy(book: Any, sheet: Any) -> dict[str, Any]:
    cols = []
    for col in range(FIRST_THETA_COLUMN, sheet.ncols):
        r = sheet.cell_value(HEADER_ROW, col)
        if not isinstance(r, float):
            break
        if r > 0.0:
            cols.append(col)
    rows = []
    for row in range(HEADER_ROW + 1, sheet.nrows):
        if not isinstance(sheet.cell_value(row, FIRST_THETA_COLUMN - 1), float):
            break
        rows.append(row)
    return {
        "r_cm": [_number(sheet, HEADER_ROW, c) for c in cols],
        "r_cells": f"{_cell(HEADER_ROW, cols[0])}:{_cell(HEADER_ROW, cols[-1])}",
        "theta_deg": [_number(sheet, row, FIRST_THETA_COLUMN - 1) for row in rows],
        "theta_cells": (f"{_cell(rows[0], FIRST_THETA_COLUMN - 1)}:"
                        f"{_cell(rows[-1], FIRST_THETA_COLUMN - 1)}"),
        "F": [[_number(sheet, row, c) for c in cols] for row in rows],
        "F_cells": f"{_cell(rows[0], cols[0])}:{_cell(rows[-1], cols[-1])}",
        "F_marks": ["".join(_mark(book, sheet, row, c) or "." for c in cols) for row in rows],
    }


def _along_away(sheet: Any) -> dict[str, Any]:
    """The sheet's "QA Along-away" table: dose rate (cGy h⁻¹ U⁻¹) by z (rows), y (columns)."""
    z_col = next(c for c in range(FIRST_THETA_COLUMN, sheet.ncols)
                 if str(sheet.cell_value(HEADER_ROW, c)).strip().startswith("z"))
    cols = [c for c in range(z_col + 1, sheet.ncols)
            if isinstance(sheet.cell_value(HEADER_ROW, c), float)]
    rows = [r for r in range(HEADER_ROW + 1, sheet.nrows)
            if isinstance(sheet.cell_value(r, z_col), float)]
    return {
        "y_cm": [_number(sheet, HEADER_ROW, c) for c in cols],
        "y_cells": f"{_cell(HEADER_ROW, cols[0])}:{_cell(HEADER_ROW, cols[-1])}",
        "z_cm": [_number(sheet, r, z_col) for r in rows],
        "z_cells": f"{_cell(rows[0], z_col)}:{_cell(rows[-1], z_col)}",
        "dose_rate_cgy_per_h_per_u": [[_number(sheet, r, c) for c in cols] for r in rows],
        "dose_rate_cells": f"{_cell(rows[0], cols[0])}:{_cell(rows[-1], cols[-1])}",
    }


def build(reference: Path) -> dict[str, Any]:
    """Read every source's tables from its spreadsheet."""
    import xlrd

    sources = {}
    for key, name, workbook, sheet_name, isotope, aliases in SOURCES:
        book = xlrd.open_workbook(str(reference / workbook), formatting_info=True)
        sheet = book.sheet_by_name(sheet_name)
        r_cm, g, r_cells, g_cells = _radial(sheet)
        sources[key] = {
            "name": name,
            "isotope": isotope,
            "aliases": list(aliases),
            "workbook": workbook,
            "sheet": sheet_name,
            "title": str(sheet.cell_value(0, 6) or sheet.cell_value(0, 7)).strip(),
            "dose_rate_constant_cgy_per_h_per_u": _number(sheet, *LAMBDA_CELL),
            "dose_rate_constant_cell": _cell(*LAMBDA_CELL),
            "active_length_cm": _number(sheet, *LENGTH_CELL),
            "active_length_cell": _cell(*LENGTH_CELL),
            "radial_dose_function": {"r_cm": r_cm, "r_cells": r_cells, "g_L": g,
                                     "g_L_cells": g_cells},
            "anisotropy_function": _anisotropy(book, sheet),
            "qa_along_away": _along_away(sheet),
        }
    return {
        "about": ("TG-43U1 consensus datasets read cell by cell from the AAPM/ESTRO HEBD "
                  "spreadsheets (Perez-Calatayud et al., Med Phys 39:2904 (2012)) by "
                  "scripts/make_tg43_data.py; do not edit by hand. F_marks per cell: "
                  "'.' tabulated, 'B' interpolated/extrapolated by the working group "
                  "(boldface/underlined), 'I' inside the source (italics). The r = 0 row "
                  "and column of the spreadsheets (their extrapolation) are left out. "
                  "qa_along_away: the sheets' QA along-away dose-rate table (z along the "
                  "source axis towards the tip, y away from it, cm), for checking an "
                  "implementation."),
        "sources": sources,
    }


def render(data: dict[str, Any]) -> str:
    """The file's text: deterministic, one table row per line."""
    return json.dumps(data, indent=1, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the data file; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reference", nargs="?", type=Path, default=DEFAULT_REFERENCE)
    args = parser.parse_args(argv)
    OUTPUT.write_text(render(build(args.reference)), encoding="utf-8")
    print(f"wrote {OUTPUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
