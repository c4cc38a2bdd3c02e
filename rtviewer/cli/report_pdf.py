"""Write a :class:`~rtviewer.model.review_report.ReviewReport` as a PDF with reportlab.

Vector text and tables (tables split across pages with their heading row repeated), the
pictures embedded at their native pixels (reportlab stores PNGs losslessly), a vector
legend and scale bar beside each slice picture, DejaVu Sans embedded (a subset), A4 or
US Letter, and on every page the header (patient, plan, report date, rtviewer version)
and "page x of y".  reportlab lays out and paginates; only the header and the picture
frame are drawn here.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    LongTable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Image as PdfImage

from rtviewer.model.review_report import (
    Fields,
    Picture,
    ReviewReport,
    Table,
    cell_text,
)
from rtviewer.model.review_report import Paragraph as TextBlock

__all__ = ["PAGE_SIZES", "write_pdf"]

PAGE_SIZES = {"a4": A4, "letter": LETTER}
_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/TTF"),
              Path("/usr/share/fonts/dejavu"), Path("/Library/Fonts"),
              Path("C:/Windows/Fonts"))
_MARGIN = 15 * mm
_HEADER = 14 * mm


def _register_fonts() -> tuple[str, str]:
    """DejaVu Sans (regular, bold) registered for embedding; reportlab's Vera otherwise.

    Both are TrueType and embedded; DejaVu has every glyph the report prints (°, µ, →, ×).
    """
    if "RtvSans" in pdfmetrics.getRegisteredFontNames():
        return "RtvSans", "RtvSans-Bold"
    for folder in _FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            break
    else:
        import reportlab

        fonts = Path(reportlab.__file__).parent / "fonts"
        regular, bold = fonts / "Vera.ttf", fonts / "VeraBd.ttf"
    pdfmetrics.registerFont(TTFont("RtvSans", str(regular)))
    pdfmetrics.registerFont(TTFont("RtvSans-Bold", str(bold)))
    return "RtvSans", "RtvSans-Bold"


def _styles(regular: str, bold: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=regular, bulletFontName=regular, fontSize=8.5,
                          leading=10.5)
    return {"body": base,
            "h1": ParagraphStyle("h1", parent=base, fontName=bold, fontSize=12, leading=15,
                                 spaceBefore=8, spaceAfter=4, keepWithNext=1),
            "h2": ParagraphStyle("h2", parent=base, fontName=bold, fontSize=9.5, leading=12,
                                 spaceBefore=4, spaceAfter=2, keepWithNext=1),
            "cell": ParagraphStyle("cell", parent=base, fontSize=6.8, leading=8),
            "head": ParagraphStyle("head", parent=base, fontName=bold, fontSize=6.8,
                                   leading=8),
            "caption": ParagraphStyle("caption", parent=base, fontSize=7.5, leading=9.5,
                                      textColor=colors.HexColor("#333333"))}


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(_escape(text), style)


_GRID = TableStyle([("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#999999")),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e6e6")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                    ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)])


def _table(block: Table, styles: dict, width: float) -> list[Any]:
    out: list[Any] = []
    if block.title:
        out.append(_p(block.title, styles["h2"]))
    head = [_p(c.heading, styles["head"]) for c in block.columns]
    body = [[_p(cell_text(v, c), styles["cell"]) for c, v in zip(block.columns, row,
                                                                  strict=True)]
            for row in block.rows]
    widths = _column_widths(block, width)
    table = LongTable([head, *body], colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(_GRID)
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), styles["cell"].fontName)]))
    out.append(table)
    if block.note:
        out.append(_p(block.note, styles["caption"]))
    out.append(Spacer(1, 3 * mm))
    return out


def _column_widths(block: Table, width: float) -> list[float]:
    """Widths proportional to each column's longest word-run, numbers kept narrow."""
    def need(column: Any, index: int) -> float:
        texts = [column.heading] + [cell_text(r[index], column) for r in block.rows]
        longest = max(len(t) for t in texts)
        return min(max(longest, 4), 40) ** 0.8
    needs = [need(c, i) for i, c in enumerate(block.columns)]
    total = sum(needs)
    return [width * n / total for n in needs]


def _fields(block: Fields, styles: dict, width: float) -> list[Any]:
    rows = [[_p(k, styles["head"]), _p(v, styles["cell"])] for k, v in block.pairs]
    table = LongTable(rows, colWidths=[0.25 * width, 0.75 * width], hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("FONTNAME", (0, 0), (-1, -1), styles["cell"].fontName),
                               ("LINEBELOW", (0, 0), (-1, -1), 0.2,
                                colors.HexColor("#cccccc")),
                               ("TOPPADDING", (0, 0), (-1, -1), 1),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    return [table, Spacer(1, 3 * mm)]


def _nice_length_mm(span_mm: float) -> float:
    """A round scale-bar length near a fifth of the picture's width (mm)."""
    target = span_mm / 5.0
    power = 10 ** math.floor(math.log10(target))
    return max(f * power for f in (1, 2, 5) if f * power <= target)


class _Figure(Flowable):
    """A picture with its legend (vector) to the right and a scale bar (vector) below."""

    def __init__(self, block: Picture, width: float, font: str) -> None:
        super().__init__()
        from PIL import Image as PilImage

        with PilImage.open(block.path) as img:
            self.px = img.size
        self.block, self.font = block, font
        legend_w = 48 * mm if block.legend else 0
        # slice views 125 mm wide, the DVH 150 mm and BEVs 95 mm (two to a page)
        wide = 125 * mm if block.mm_per_pixel else 150 * mm if block.legend else 95 * mm
        self.img_w = min(width - legend_w, wide)
        self.img_h = self.img_w * self.px[1] / self.px[0]
        self.bar_h = 8 * mm if block.mm_per_pixel else 0
        self.legend_h = 3.6 * mm * len(block.legend)
        self.width = width
        self.height = max(self.img_h + self.bar_h, self.legend_h)

    def wrap(self, *_args: Any) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        top = self.height
        PdfImage(self.block.path, self.img_w, self.img_h).drawOn(c, 0, top - self.img_h)
        if self.block.mm_per_pixel:
            self._scale_bar(top - self.img_h - 5 * mm)
        x = self.img_w + 4 * mm
        c.setFont(self.font, 7)
        for index, item in enumerate(self.block.legend):
            y = top - (index + 1) * 3.6 * mm
            c.setStrokeColorRGB(*(v / 255 for v in item.rgb))
            c.setLineWidth(1.6)
            c.line(x, y + 1.2 * mm, x + 6 * mm, y + 1.2 * mm)
            c.setFillColor(colors.black)
            c.drawString(x + 8 * mm, y + 0.4 * mm, item.label[:40])

    def _scale_bar(self, y: float) -> None:
        c = self.canv
        assert self.block.mm_per_pixel is not None
        span_mm = self.block.mm_per_pixel * self.px[0]
        length_mm = _nice_length_mm(span_mm)
        length_pt = self.img_w * length_mm / span_mm
        c.setStrokeColor(colors.black)
        c.setLineWidth(1)
        c.line(0, y, length_pt, y)
        for x in (0, length_pt):
            c.line(x, y - 1 * mm, x, y + 1 * mm)
        c.setFont(self.font, 7)
        c.drawString(length_pt + 2 * mm, y - 1 * mm, f"{length_mm:g} mm (patient scale)")


def _picture(block: Picture, styles: dict, width: float, font: str) -> list[Any]:
    return [KeepTogether([_Figure(block, width, font), Spacer(1, 1.5 * mm),
                          _p(block.caption, styles["caption"])]), Spacer(1, 4 * mm)]


def _story(report: ReviewReport, styles: dict, width: float, font: str) -> list[Any]:
    story: list[Any] = []
    for section in report.sections:
        story.append(_p(section.title, styles["h1"]))
        first = len(story) - 1
        for block in section.blocks:
            if isinstance(block, Table):
                story += _table(block, styles, width)
            elif isinstance(block, Fields):
                story += _fields(block, styles, width)
            elif isinstance(block, Picture):
                story += _picture(block, styles, width, font)
            elif isinstance(block, TextBlock):
                story.append(_p(block.text, styles["body"]))
                story.append(Spacer(1, 1.5 * mm))
        if isinstance(story[first + 1], KeepTogether):  # a heading never ends a page alone
            story[first:first + 2] = [KeepTogether([story[first], story[first + 1]])]
    if report.notes:
        story.append(_p("Notes on the input", styles["h1"]))
        story += [_p(n, styles["body"]) for n in report.notes]
    return story


def _canvas_maker(report: ReviewReport, regular: str, bold: str) -> type:
    """A canvas that draws each page's header once the page count is known."""
    h = report.header

    class HeaderCanvas(pdf_canvas.Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._header(number, len(self._pages))
                super().showPage()
            super().save()

        def _header(self, number: int, total: int) -> None:
            width, height = self._pagesize
            top = height - _MARGIN + 4 * mm
            self.setFont(bold, 9)
            self.drawString(_MARGIN, top, f"{h.patient_name}  ·  ID {h.patient_id}")
            self.drawRightString(width - _MARGIN, top, f"Plan {h.plan_label}")
            self.setFont(regular, 7.5)
            self.drawString(_MARGIN, top - 4 * mm,
                            f"Plan review report · {h.report_date} · rtviewer {h.version}")
            self.drawRightString(width - _MARGIN, top - 4 * mm, f"page {number} of {total}")
            self.setLineWidth(0.5)
            self.line(_MARGIN, top - 6 * mm, width - _MARGIN, top - 6 * mm)

    return HeaderCanvas


def write_pdf(report: ReviewReport, out: Path, page: str = "a4") -> None:
    """Write ``report`` to ``out`` on ``page`` (``a4`` or ``letter``) paper."""
    regular, bold = _register_fonts()
    styles = _styles(regular, bold)
    size = PAGE_SIZES[page]
    # the document template also sets reportlab's base font (Helvetica, never embedded)
    saved, rl_config.canvas_basefontname = rl_config.canvas_basefontname, regular
    # pictures as binary (Flate) streams, not ASCII85 text: without reportlab's C
    # accelerator the ASCII85 encoder is pure Python (~1 s of a report with ten
    # pictures), and the text form is a quarter larger
    saved_a85, rl_config.useA85 = rl_config.useA85, 0
    doc = SimpleDocTemplate(str(out), pagesize=size, leftMargin=_MARGIN, rightMargin=_MARGIN,
                            topMargin=_MARGIN + _HEADER, bottomMargin=_MARGIN,
                            # else Helvetica is referenced, unembedded, on every page
                            initialFontName=regular, initialFontSize=8.5,
                            title=f"Plan review: {report.header.plan_label}",
                            author=f"rtviewer {report.header.version}",
                            subject=f"{report.header.patient_name} "
                                    f"({report.header.patient_id})")
    width = size[0] - 2 * _MARGIN
    try:
        doc.build(_story(report, styles, width, regular),
                  canvasmaker=_canvas_maker(report, regular, bold))
    finally:
        rl_config.canvas_basefontname = saved
        rl_config.useA85 = saved_a85
