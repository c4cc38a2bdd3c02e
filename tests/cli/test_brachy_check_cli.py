"""``rtviewer brachy-check`` on the pyTG43 corpus plans (Eclipse HDR and PDR, Oncentra PDR)."""

import json

import pytest

from rtviewer.cli import main

pytestmark = pytest.mark.corpus


def _check(corpus, folder, capsys, *extra):
    status = main(["brachy-check", str(corpus / "pytg43-brachy" / folder), "--json", *extra])
    return status, json.loads(capsys.readouterr().out)["plans"]


def test_eclipse_point_a_within_half_a_percent(corpus, capsys):
    """BrachyVision's Point A doses (Σ CDRC × Application Setup Dose 6.00156 Gy): 6.0016 and
    6.1362 Gy; an independent TG-43 calculation with GammaMed Plus consensus data gave
    6.002 / 6.136 Gy."""
    status, (plan,) = _check(corpus, "HDR", capsys)
    assert status == 0 and plan["source_key"] == "GammaMed Plus HDR"
    points = {p["label"]: p for p in plan["points"]}
    left, right = points["PtA_left"], points["PtA_right"]
    assert left["planned_gy"] == pytest.approx(6.00156 * (0.77624459 + 0.081243613 + 0.1425118),
                                               rel=1e-6)
    assert left["dose_per_fraction_gy"] == pytest.approx(left["planned_gy"], rel=0.005)
    assert right["dose_per_fraction_gy"] == pytest.approx(right["planned_gy"], rel=0.005)
    assert abs(left["difference_pct"]) < 0.5 and left["status"] == "PASS"
    assert plan["trak_ugy"] == pytest.approx(plan["trak_file_ugy"], rel=1e-6)
    assert plan["strength"]["decay"] == 1.0  # Eclipse's day strength (00:00 on the plan date)
    assert any("00:00" in n for n in plan["notes"])
    assert plan["records"] == [] and plan["delivered_trak_ugy"] == 0.0


def test_pdr_values_are_compared_per_pulse(corpus, capsys):
    status, (plan,) = _check(corpus, "PDR", capsys)
    assert status == 0 and plan["pulses"] == 43
    for point in plan["points"]:
        assert point["compared_as"] == "per pulse"
        assert point["dose_per_pulse_gy"] * 43 == pytest.approx(point["dose_per_fraction_gy"])
        assert abs(point["difference_pct"]) < 0.5


def test_oncentra_point_doses_and_an_assumed_source_said(corpus, capsys):
    status, (plan,) = _check(corpus, "oncentra", capsys)
    assert status == 0 and "ASSUMED" in plan["source_note"]
    # decayed from 11:51:27 to the RT Plan Time 13:39:25
    assert plan["strength"]["decay"] == pytest.approx(2 ** (-(107 / 60 + 58 / 3600) / 24 / 73.83))
    assert len(plan["points"]) == 14
    assert all(abs(p["difference_pct"]) < 1.5 for p in plan["points"])
    assert plan["trak_file_as"].startswith("per pulse")


def test_tolerance_and_treatment_date_decay(corpus, capsys):
    # 73.83 days later the source is at half strength: every dose halves, every point warns
    status, (plan,) = _check(corpus, "HDR", capsys, "--treatment-date", "2018-06-01T19:55:12",
                             "--tolerance", "2")
    assert plan["strength"]["decay"] == pytest.approx(0.5, abs=1e-9)
    assert status == 1 and all(p["status"] == "WARN" for p in plan["points"])
    assert plan["points"][0]["difference_pct"] == pytest.approx(-50.0, abs=0.1)


def test_table_output_and_bad_input(corpus, capsys, tmp_path):
    assert main(["brachy-check", str(corpus / "pytg43-brachy" / "HDR")]) == 0
    out = capsys.readouterr().out
    assert "PtA_left" in out and "PASS" in out and "GammaMed Plus HDR" in out
    assert main(["brachy-check", str(tmp_path)]) == 2
    assert "no brachytherapy RT Plan" in capsys.readouterr().err
    assert main(["brachy-check", str(corpus / "pytg43-brachy"), "--treatment-date", "x"]) == 2


def test_pulsed_plan_setup_dose_is_not_v100_unless_stated(corpus, capsys):
    # Oncentra writes its PDR setup dose per pulse (0.8 Gy), Eclipse per fraction (30.1
    # Gy): V100 of a 42-pulse fraction against 0.8 Gy would read 100 % of every target
    status, (plan,) = _check(corpus, "oncentra", capsys, "--dvh", "--grid-mm", "3")
    gec = plan["gec_estro"]
    assert status == 0 and gec["prescription_gy"] is None
    assert any("Application Setup Dose 0.8 Gy may be per pulse or per fraction" in n
               and "--prescription-gy" in n for n in gec["notes"])
    hrctv = next(m for m in gec["structures"] if m["name"] == "HR-CTV")
    assert hrctv["volumes_pct"] == {} and hrctv["values_gy"]["D90"] > 0
    status, (plan,) = _check(corpus, "oncentra", capsys, "--dvh", "--grid-mm", "3",
                             "--prescription-gy", "33.6")
    gec = plan["gec_estro"]
    assert gec["prescription_gy"] == 33.6 and not any("pulsed" in n for n in gec["notes"])
    hrctv = next(m for m in gec["structures"] if m["name"] == "HR-CTV")
    assert 0 < hrctv["volumes_pct"]["V100"] < 100
