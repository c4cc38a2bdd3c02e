"""``rtviewer points``: CSV and JSON of the doses at the plan's points, exit codes."""

import csv
import io
import json

import pytest

from rtviewer.cli import main
from rtviewer.model.plan_points import POINT_COLUMNS

pytestmark = pytest.mark.corpus


def test_json_of_the_eclipse_calc_point(corpus, capsys):
    assert main(["points", str(corpus / "dicompyler-core"), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    calc = next(r for r in rows if r["label"] == "CALC POINT")
    assert calc["planned_gy"] == pytest.approx(11.3113869239676)
    assert abs(calc["dose_gy"] - calc["planned_gy"]) < 1e-4


def test_csv_columns(corpus, capsys):
    assert main(["points", str(corpus / "aptg-proton"), "--csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert tuple(rows[0]) == ("plan", *POINT_COLUMNS)
    assert [r[1] for r in rows[1:]] == ["Beam Dose Point3", "Beam dose point (beams 1, 2)",
                                        "LoPo"]


def test_no_plan_exits_2(corpus, capsys):
    assert main(["points", str(corpus / "nelms-dvh-analytical" / "DOSE_GRIDS")]) == 2
