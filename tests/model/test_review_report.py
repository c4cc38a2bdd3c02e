"""The review report's one formatter and its JSON: the PDF prints what the JSON holds."""

import math

from rtviewer.model.review_report import (
    Column,
    Fields,
    ReportHeader,
    ReviewReport,
    Section,
    Table,
    cell_text,
    report_as_dict,
)


def test_cells_print_to_the_columns_digits_and_dash_for_no_value():
    gy = Column("Dmean", "Gy", 2)
    assert gy.heading == "Dmean (Gy)"
    assert cell_text(59.8849, gy) == "59.88"
    assert cell_text(-0.001, gy) == "0.00"  # no "-0.00"
    assert cell_text(None, gy) == "—" and cell_text(math.nan, gy) == "—"
    assert cell_text("PASS", Column("Result")) == "PASS"


def test_json_rounds_numbers_as_the_pdf_prints_them():
    columns = (Column("ROI"), Column("Dmax", "Gy", 2), Column("V95%Rx", "%", 1))
    report = ReviewReport(ReportHeader("Doe^J", "42", "L1", "2026-01-01 00:00 UTC", "1"),
                          (Section("dvh_table", "DVH", (Table("", columns, (
                              ("PTV", 63.2549, math.nan),)),)),
                           Section("reviewer", "Review", (Fields((("Reviewer", "X"),)),))))
    doc = report_as_dict(report)
    row = doc["sections"][0]["blocks"][0]["rows"][0]
    assert row == {"ROI": "PTV", "Dmax": 63.25, "V95%Rx": None}
    assert cell_text(63.2549, columns[1]) == f"{row['Dmax']:.2f}"
    assert doc["sections"][0]["blocks"][0]["columns"][1] == {"title": "Dmax", "unit": "Gy"}
    assert doc["header"]["plan_label"] == "L1" and report.section("goals") is None
