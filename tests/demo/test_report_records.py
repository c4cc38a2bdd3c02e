"""The review report's external-beam treatment-record section on the demo thorax.

Each number is read back against the records themselves: per beam and session the
plan's MU and the delivered MU; the interrupted session (beam 4, operator hold) and its
completion later that day; fractions complete per beam.  The JSON holds the values as
printed (MU to 0.1, % to 0.01).
"""

from __future__ import annotations

import json

import pytest

from rtviewer.cli import main
from rtviewer.dicom.plan import read_plan
from rtviewer.dicom.record import read_treatment_record


def _section(doc, key):
    return next(s for s in doc["sections"] if s["key"] == key)


def test_records_section_of_the_demo_thorax(demo_dir, demo_headers, find, tmp_path):
    folder = demo_dir / "RTV-DEMO-THORAX"
    records = [read_treatment_record(p) for p in
               find(demo_headers, PatientID="RTV-DEMO-THORAX", Modality="RTRECORD")]
    assert records
    plan = read_plan(next(p for p in find(demo_headers, PatientID="RTV-DEMO-THORAX",
                                          Modality="RTPLAN")
                          if read_plan(p).sop_instance_uid == records[0].referenced_plan_uid))
    status = main(["report", str(folder), "--plan", str(plan.path), "--out",
                   str(tmp_path / "r.pdf"), "--json", str(tmp_path / "r.json"),
                   "--no-pictures", "--sections", "records"])
    assert status == 0
    section = _section(json.loads((tmp_path / "r.json").read_text(encoding="utf-8")),
                       "records")
    head, per_beam, per_session = section["blocks"]
    mine = [r for r in records if r.referenced_plan_uid == plan.sop_instance_uid]
    treated = [(r, b) for r in mine for b in r.beams]
    assert len(per_session["rows"]) == len(treated)
    by_key = {(row["Session"], row["Beam"].split()[0]): row for row in per_session["rows"]}
    for record, beam in treated:
        when = record.session.date_time.isoformat(sep=" ", timespec="minutes")
        row = by_key[(when, str(beam.referenced_beam_number))]
        planned = plan.beam(beam.referenced_beam_number).meterset
        assert row["Planned"] == pytest.approx(planned, abs=0.051)  # 0.1 MU printed
        assert row["Delivered"] == pytest.approx(beam.delivered_meterset, abs=0.051)
        assert row["Difference"] == pytest.approx(
            100 * (beam.delivered_meterset - planned) / planned, abs=0.0051)
        assert row["Termination"].startswith(beam.termination_status.value)
    interrupted = [row for row in per_session["rows"] if row["Termination"] != "NORMAL"]
    assert len(interrupted) == sum(1 for _r, b in treated
                                   if b.termination_status.value != "NORMAL") >= 1
    assert all(row["Difference"] < -1.0 for row in interrupted)  # stopped short
    fractions = {b.current_fraction_number or r.session.current_fraction_number
                 for r, b in treated}
    assert (f"{len(mine)} treatment record(s) of this plan: {len(fractions)} fraction(s)"
            in head["text"])
    assert f"{sum(1 for r in mine if r.interrupted)} session(s) interrupted" in head["text"]
    for row in per_beam["rows"]:
        number = int(row["Beam"].split(":")[0])
        delivered = sum(b.delivered_meterset for _r, b in treated
                        if b.referenced_beam_number == number)
        assert row["Delivered"] == pytest.approx(delivered, abs=0.051)
        assert row["Planned (all fractions)"] == pytest.approx(
            plan.beam(number).meterset * plan.fractions_planned, abs=0.051)
        # an interrupted beam completed later the same fraction still counts as complete
        assert row["Fractions complete"] == f"{len(fractions)} of {plan.fractions_planned}"
