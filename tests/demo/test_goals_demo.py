"""The demo thorax plans with their shipped goal set: the 3D plan fails one mandatory goal
(explained in the goal file), the VMAT plan passes every goal."""

import json

import pydicom

from rtviewer.cli import main


def _results_by_plan(demo_dir, capsys):
    folder = demo_dir / "RTV-DEMO-THORAX"
    assert main(["goals", str(folder), "--goals", "demo_thorax", "--json"]) == 1
    by_plan: dict[str, list[dict]] = {}
    for r in json.loads(capsys.readouterr().out)["results"]:
        label = pydicom.dcmread(r["plan"], stop_before_pixels=True).RTPlanLabel
        by_plan.setdefault(label, []).append(r)
    return by_plan


def _value(rows, structure, goal):
    return next(r for r in rows if r["structure"] == structure and r["goal"] == goal)


def test_demo_thorax_3d_plan_fails_only_ptv_near_minimum(demo_dir, capsys):
    by_plan = _results_by_plan(demo_dir, capsys)
    assert sorted(by_plan) == ["Lung 3DCRT", "Lung VMAT"]
    rows = by_plan["Lung 3DCRT"]
    failures = [(r["structure"], r["goal"]) for r in rows if r["status"] != "pass"]
    assert failures == [("PTV", "D98 >= 95 % Rx")]
    assert 93.0 < _value(rows, "PTV", "D98 >= 95 % Rx")["value"] < 95.0
    assert _value(rows, "PTV", "V95%Rx >= 95 %")["value"] >= 95.0


def test_demo_thorax_vmat_plan_passes_every_goal(demo_dir, capsys):
    rows = _results_by_plan(demo_dir, capsys)["Lung VMAT"]
    assert [r["status"] for r in rows] == ["pass"] * len(rows)
    assert len(rows) == 9
    # Every organ goal was evaluated: the contours lie inside the dose grid.
    cord = _value(rows, "SpinalCord", "Dmax < 45 Gy")
    assert cord["value"] > 1.0 and cord["note"] == ""
