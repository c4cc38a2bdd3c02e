"""RT Treatment Records: realistic ones built from corpus plans (no public sample exists)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pydicom
import pytest
from factories.records import Interruption, beams_record, brachy_record, write

from rtviewer.dicom.plan import read_plan
from rtviewer.dicom.record import read_treatment_record
from rtviewer.errors import UnsupportedObjectError
from rtviewer.model.plan import RotationDirection
from rtviewer.model.record import RecordKind, TerminationStatus

DICOMPYLER = "dicompyler-core/rtplan.dcm"
RAYSTATION = ("pps-vendor-plans/BrainSRSRaystationVMAT/"
              "RP1.2.752.243.1.1.20180405120828292.3000.83684.dcm")
PROTON = "aptg-proton/plan03_ramp_full/ramped_2Gy_ver2_full.dcm"
HDR = "pytg43-brachy/HDR/RP.HDR.dcm"


def test_completed_beams_session(corpus: Path, tmp_path: Path) -> None:
    plan = read_plan(corpus / DICOMPYLER)
    record = read_treatment_record(write(beams_record(corpus / DICOMPYLER, fraction=3),
                                         tmp_path / "rec.dcm"))
    assert record.kind is RecordKind.BEAMS and record.findings == ()
    assert record.referenced_plan_uid == plan.sop_instance_uid
    assert record.session.date_time == dt.datetime(2024, 3, 15, 11, 15)
    assert record.session.current_fraction_number == 3
    assert record.session.number_of_fractions_planned == 7
    assert record.machine_name == "TrueBeam1" and not record.interrupted
    assert [b.referenced_beam_number for b in record.beams] == [1, 2, 3, 4]
    assert [b.specified_meterset for b in record.beams] == [b.meterset for b in plan.beams]
    assert all(b.termination_status is TerminationStatus.NORMAL for b in record.beams)
    assert [len(b.control_points) for b in record.beams] == [92, 94, 103, 95]
    # Delivered control points inherit angles and jaws like plan control points.
    last = record.beams[0].control_points[-1]
    assert last.referenced_control_point_index == 91
    assert last.geometry.gantry_angle_deg == 327.0 and last.geometry.jaw_x_mm is not None
    assert last.delivered_meterset == pytest.approx(97.0 - 0.02)


def test_interrupted_fraction(corpus: Path, tmp_path: Path) -> None:
    cut = Interruption(number=2, fraction_delivered=0.5)
    record = read_treatment_record(write(
        beams_record(corpus / DICOMPYLER, fraction=5, interrupt=cut), tmp_path / "rec.dcm"))
    assert record.interrupted
    beam = record.beams[1]
    assert beam.name == "4 AP" and not beam.completed
    assert beam.termination_status is TerminationStatus.MACHINE
    assert beam.termination_code == "MLC INTERLOCK"
    assert beam.termination_reason == "MLC leaf position interlock"
    assert (beam.specified_meterset, beam.delivered_meterset) == (87.0, 43.5)
    assert beam.delivered_fraction == pytest.approx(0.5)
    # Delivery stopped at the control point whose cumulative meterset passed 43.5 MU.
    assert len(beam.control_points) < 94
    assert beam.control_points[-1].specified_meterset <= 43.5
    (finding,) = record.findings
    assert finding.code == "BEAM_INTERRUPTED" and "43.5 of 87.0 MU" in finding.message
    assert beam.findings == (finding,)
    assert all(b.completed for b in record.beams if b.referenced_beam_number != 2)


def test_legacy_termination_code(corpus: Path, tmp_path: Path) -> None:
    cut = Interruption(number=1, fraction_delivered=0.25, status="OPERATOR",
                       code="BEAM HOLD", reason=None, legacy=True)
    record = read_treatment_record(write(
        beams_record(corpus / DICOMPYLER, interrupt=cut), tmp_path / "rec.dcm"))
    beam = record.beams[0]
    assert beam.termination_status is TerminationStatus.OPERATOR
    assert beam.termination_code == "BEAM HOLD" and beam.termination_reason is None
    assert beam.delivered_meterset == pytest.approx(97 * 0.25)


def test_vmat_record_keeps_gantry_rotation(corpus: Path, tmp_path: Path) -> None:
    record = read_treatment_record(write(beams_record(corpus / RAYSTATION, fraction=2),
                                         tmp_path / "vmat.dcm"))
    assert len(record.beams) == 8  # the three SETUP beams are not delivered
    arc = record.beams[0]
    assert arc.control_points[0].geometry.gantry_rotation is RotationDirection.CC
    assert arc.control_points[45].geometry.gantry_rotation is RotationDirection.CC
    assert arc.control_points[0].geometry.gantry_angle_deg == 179.0


def test_ion_beams_record(corpus: Path, tmp_path: Path) -> None:
    record = read_treatment_record(write(
        beams_record(corpus / PROTON, fraction=1, ion=True), tmp_path / "ion.dcm"))
    assert record.kind is RecordKind.ION_BEAMS and record.findings == ()
    beam = record.beams[0]
    assert beam.delivered_meterset == pytest.approx(39294.15)
    first = beam.control_points[0]
    assert first.spot_metersets_delivered is not None
    assert first.spot_metersets_delivered.shape == (448,)
    assert first.spot_metersets_delivered.sum() == pytest.approx(1333.401, abs=1e-3)
    assert first.geometry.nominal_energy == pytest.approx(149.4)


def test_brachy_record_with_operator_interruption(corpus: Path, tmp_path: Path) -> None:
    cut = Interruption(3, 0.5, status="OPERATOR", code="PATIENT MOVED", reason=None)
    record = read_treatment_record(write(brachy_record(corpus / HDR, interrupt=cut),
                                         tmp_path / "brachy.dcm"))
    assert record.kind is RecordKind.BRACHY and record.interrupted
    (setup,) = record.application_setups
    assert setup.termination_status is TerminationStatus.OPERATOR
    assert setup.termination_code == "PATIENT MOVED"
    times = [(c.specified_total_time_s, c.delivered_total_time_s) for c in record.channels]
    assert times == [(271.4, 271.4), (101.0, 101.0), (100.7, 50.3)]
    assert record.channels[2].time_deficit_s == pytest.approx(50.4)
    first = record.channels[0]
    assert first.number_of_control_points == 30
    assert first.delivered_relative_positions_mm[:3].tolist() == [7.5, 7.5, 12.5]
    assert first.delivered_positions_mm is None  # the standard records relative positions
    assert record.session.referenced_fraction_group_number == 1
    assert record.channels[0].source_applicator_id == "tandem"
    codes = [f.code for f in record.findings]
    assert "SETUP_INTERRUPTED" in codes
    message = next(f.message for f in record.findings if f.code == "SETUP_INTERRUPTED")
    assert "channel 3: 50.3 of 100.7 s" in message
    assert record.referenced_plan_uid == read_plan(corpus / HDR).sop_instance_uid


def test_record_without_plan_reference_or_date(corpus: Path, tmp_path: Path) -> None:
    ds = beams_record(corpus / DICOMPYLER)
    del ds.ReferencedRTPlanSequence
    del ds.TreatmentDate
    del ds.TreatmentSessionBeamSequence[0].TreatmentTerminationStatus
    record = read_treatment_record(write(ds, tmp_path / "bare.dcm"))
    assert record.referenced_plan_uid is None and record.session.date_time is None
    assert {"NO_REFERENCED_PLAN", "NO_TREATMENT_DATE", "NO_TERMINATION_STATUS"} <= {
        f.code for f in record.findings}
    assert record.beams[0].termination_status is None and not record.beams[0].completed


def test_plan_is_not_a_record(corpus: Path) -> None:
    with pytest.raises(UnsupportedObjectError, match="not a treatment record"):
        read_treatment_record(corpus / DICOMPYLER)


def test_treatment_summary_record_is_refused_by_name(corpus: Path, tmp_path: Path) -> None:
    ds = beams_record(corpus / DICOMPYLER)
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.481.7"
    del ds.TreatmentSessionBeamSequence
    with pytest.raises(UnsupportedObjectError, match="Treatment Summary Record"):
        read_treatment_record(write(ds, tmp_path / "summary.dcm"))


def test_factory_writes_standard_record_classes(corpus: Path, tmp_path: Path) -> None:
    path = write(beams_record(corpus / DICOMPYLER), tmp_path / "rec.dcm")
    ds = pydicom.dcmread(path)
    assert ds.SOPClassUID == "1.2.840.10008.5.1.4.1.1.481.4"
    assert ds.file_meta.MediaStorageSOPClassUID == ds.SOPClassUID
