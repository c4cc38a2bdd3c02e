"""The demo thorax plans with their shipped goal set: one mandatory failure, explained."""

import json

from rtviewer.cli import main


def test_demo_thorax_has_one_mandatory_failure_ptv_coverage(demo_dir, capsys):
    folder = demo_dir / "RTV-DEMO-THORAX"
    assert main(["goals", str(folder), "--goals", "demo_thorax", "--json"]) == 1
    results = json.loads(capsys.readouterr().out)["results"]
    by_plan = {}
    for r in results:
        by_plan.setdefault(r["plan"], []).append(r)
    assert len(by_plan) == 2  # the conformal and the VMAT plan
    for rows in by_plan.values():
        mandatory_failures = [r for r in rows if r["priority"] == "mandatory"
                              and r["status"] != "pass"]
        assert [(r["structure"], r["goal"]) for r in mandatory_failures] == [
            ("PTV", "D98 >= 95 % Rx")]
        assert 85.0 < mandatory_failures[0]["value"] < 95.0
        cord = next(r for r in rows if r["structure"] == "SpinalCord")
        assert cord["status"] == "not evaluable" and "outside the dose grid" in cord["note"]
