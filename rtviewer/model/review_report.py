"""The plan-review report: one typed document that the PDF and the JSON are both written from.

A :class:`ReviewReport` is a header (patient, plan label, report date, rtviewer version)
and an ordered tuple of :class:`Section`; each section holds blocks: :class:`Fields`
(label/value pairs), :class:`Table` (columns with units, typed cells), :class:`Picture`
(a PNG on disk with its caption, legend and pixel size) and :class:`Paragraph`.

A number is stored once, as a float with the column's unit and displayed precision;
:func:`cell_text` is the one formatter, so the PDF prints exactly what the JSON holds
(:func:`report_as_dict` rounds to the same digits).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

__all__ = ["SECTIONS", "Column", "Fields", "LegendItem", "Paragraph", "Picture", "ReportHeader",
           "ReviewReport", "Section", "Table", "cell_text", "report_as_dict"]

#: Sections in print order: key (the JSON's ``key``) and title (the window's checklist).
SECTIONS = (("plan", "Plan sheet"), ("reference", "Prescription, dose reference and "
                                                  "structure model"),
            ("planes", "Axial, sagittal and coronal planes"), ("bev", "Beam's-eye views"),
            ("dvh_plot", "Dose-volume histogram"), ("dvh_table", "DVH statistics"),
            ("goals", "Clinical goals"), ("points", "Doses at points"),
            ("brachy_check", "Brachytherapy independent check"),
            ("records", "Treatment records"),
            ("plan_checks", "Plan checks"), ("comparison", "Dose comparison"),
            ("check", "rtviewer check findings (errors and warnings)"),
            ("reviewer", "Review"))

Cell = float | int | str | None
RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Column:
    """A table column: title, unit (empty for text) and digits after the point (None: text)."""

    title: str
    unit: str = ""
    digits: int | None = None

    @property
    def heading(self) -> str:
        """The title with its unit, as the PDF prints it: ``Dmean (Gy)``."""
        return f"{self.title} ({self.unit})" if self.unit else self.title


@dataclass(frozen=True)
class Table:
    """Rows of typed cells under :class:`Column` headings; ``note`` printed under it."""

    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    note: str = ""


@dataclass(frozen=True)
class Fields:
    """Label/value pairs (values already carry their units as text)."""

    pairs: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Paragraph:
    """Free text (a finding, a note, what could not be shown and why)."""

    text: str


@dataclass(frozen=True)
class LegendItem:
    """One line of a picture's legend: what a colour stands for."""

    label: str
    rgb: RGB


@dataclass(frozen=True)
class Picture:
    """A rendered PNG with its caption.

    Attributes
    ----------
    path : str
        The PNG file (in a scratch folder, never in the patient's folder).
    caption : str
        What the picture shows: plane and position in mm, dose and reference.
    legend : tuple of LegendItem
        Isodose levels and structures drawn, with their colours.
    mm_per_pixel : float or None
        Patient mm per PNG pixel (isotropic views); None draws no scale bar.
    """

    path: str
    caption: str
    legend: tuple[LegendItem, ...] = ()
    mm_per_pixel: float | None = None


Block = Fields | Table | Paragraph | Picture


@dataclass(frozen=True)
class Section:
    """A titled part of the report; ``key`` is its stable JSON name."""

    key: str
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class ReportHeader:
    """What every page repeats; ``report_date`` is ISO 8601 (UTC)."""

    patient_name: str
    patient_id: str
    plan_label: str
    report_date: str
    version: str
    source: str = ""


@dataclass(frozen=True)
class ReviewReport:
    """The whole report: the header and the sections, in print order."""

    header: ReportHeader
    sections: tuple[Section, ...]
    notes: tuple[str, ...] = field(default=())

    def section(self, key: str) -> Section | None:
        """The section with that key, or None (it had nothing to show)."""
        return next((s for s in self.sections if s.key == key), None)


def _rounded(value: float, digits: int) -> float | None:
    return round(float(value), digits) if math.isfinite(value) else None


def cell_text(value: Cell, column: Column) -> str:
    """The cell as printed: numbers to the column's digits, ``—`` for no value."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if not math.isfinite(float(value)):
        return "—"
    if column.digits is None:
        return str(value)
    text = f"{float(value):.{column.digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def _cell_value(value: Cell, column: Column) -> Cell:
    if isinstance(value, float) and column.digits is not None:
        return _rounded(value, column.digits)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _block_dict(block: Block) -> dict[str, Any]:
    if isinstance(block, Table):
        return {"type": "table", "title": block.title, "note": block.note,
                "columns": [{"title": c.title, "unit": c.unit} for c in block.columns],
                "rows": [{c.title: _cell_value(v, c) for c, v in zip(block.columns, row,
                                                                     strict=True)}
                         for row in block.rows]}
    if isinstance(block, Fields):
        return {"type": "fields", "fields": dict(block.pairs)}
    if isinstance(block, Picture):
        return {"type": "picture", "caption": block.caption,
                "legend": [{"label": i.label, "rgb": list(i.rgb)} for i in block.legend],
                "mm_per_pixel": block.mm_per_pixel}
    return {"type": "paragraph", "text": block.text}


def report_as_dict(report: ReviewReport) -> dict[str, Any]:
    """The report as JSON-ready data: numbers rounded to the digits the PDF prints."""
    h = report.header
    return {"format": "rtviewer review report", "format_version": 1,
            "header": {"patient_name": h.patient_name, "patient_id": h.patient_id,
                       "plan_label": h.plan_label, "report_date": h.report_date,
                       "rtviewer_version": h.version, "source": h.source},
            "sections": [{"key": s.key, "title": s.title,
                          "blocks": [_block_dict(b) for b in s.blocks]}
                         for s in report.sections],
            "notes": list(report.notes)}
