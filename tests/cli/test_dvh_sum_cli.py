"""``rtviewer dvh`` with several ``--dose``: the DVH of a plan sum."""

from __future__ import annotations

import csv

import pytest

from rtviewer.cli import main

pytestmark = pytest.mark.corpus

PLAN03 = "aptg-proton/plan03_ramp_full"


def _files(corpus):
    folder = corpus / PLAN03
    rs = next(folder.glob("RS*.dcm"))
    plan, beam1, beam2 = (next(folder.glob(f"RD*.{n}.*.dcm")) for n in (3000, 4000, 5000))
    return rs, plan, beam1, beam2


def _stats(path):
    with open(path, newline="", encoding="utf-8") as f:
        return {row["roi_name"]: row for row in csv.DictReader(f)}


def test_beam_doses_summed_give_the_plan_dose_dvh(corpus, tmp_path, capsys):
    rs, plan, beam1, beam2 = _files(corpus)
    summed, whole = tmp_path / "sum.csv", tmp_path / "plan.csv"
    base = ["dvh", "--structures", str(rs), "--roi", "Cube101010", "--csv"]
    assert main([*base, str(summed), "--dose", str(beam1), "--dose", str(beam2)]) == 0
    assert "plan sum" in capsys.readouterr().err
    assert main([*base, str(whole), "--dose", str(plan)]) == 0
    a, b = _stats(summed)["Cube101010"], _stats(whole)["Cube101010"]
    for column in ("dmin_gy", "dmean_gy", "dmax_gy"):
        assert float(a[column]) == pytest.approx(float(b[column]), abs=1e-4)


def test_weights_and_refusals(corpus, tmp_path, capsys):
    rs, plan, beam1, _ = _files(corpus)
    one, doubled = tmp_path / "one.csv", tmp_path / "two.csv"
    base = ["dvh", "--structures", str(rs), "--roi", "Cube101010", "--dose", str(plan), "--csv"]
    assert main([*base, str(one)]) == 0
    assert main([*base, str(doubled), "--weight", "2"]) == 0
    assert float(_stats(doubled)["Cube101010"]["dmean_gy"]) == pytest.approx(
        2 * float(_stats(one)["Cube101010"]["dmean_gy"]), rel=1e-5)
    capsys.readouterr()
    assert main([*base, str(one), "--dose", str(beam1)]) == 2
    assert "already contains" in capsys.readouterr().err
    assert main([*base, str(one), "--weight", "1", "--weight", "2"]) == 2
    assert "one per dose" in capsys.readouterr().err
