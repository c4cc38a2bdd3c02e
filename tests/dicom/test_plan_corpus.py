"""RT Plans and RT Ion Plans of the real corpus, with values checked on the files."""

from __future__ import annotations

import functools
import os
import warnings
from pathlib import Path

import numpy as np
import pydicom
import pytest
from testsupport import corpus_root

from rtviewer.dicom.plan import read_plan
from rtviewer.model.brachy import BrachyTreatmentType
from rtviewer.model.ion import IonBeam
from rtviewer.model.plan import (
    BeamType,
    DoseReferenceType,
    PlanKind,
    RadiationType,
    RotationDirection,
    TreatmentDeliveryType,
)

pytestmark = pytest.mark.corpus

PLAN_CLASSES = {"1.2.840.10008.5.1.4.1.1.481.5", "1.2.840.10008.5.1.4.1.1.481.8"}
DICOMPYLER = "dicompyler-core/rtplan.dcm"
RAYSTATION = ("pps-vendor-plans/BrainSRSRaystationVMAT/"
              "RP1.2.752.243.1.1.20180405120828292.3000.83684.dcm")
ECLIPSE_PROSTATE = ("slicerrt-eclipse-prostate/"
                    "RP.1.2.246.352.71.5.2088656855.377401.20110920153647.dcm")
PINNACLE = ("pps-vendor-plans/pinnacle_plan1/"
            "RTPLAN_2.16.840.1.113669.2.931128.305045163.20180315140850.284204.dcm")
MONACO = "pps-vendor-plans/monaco_plans_VMAT/2018CompLung_VMAT.dcm"
GAMMA_KNIFE = "pps-vendor-plans/GK_test_data_gkdosefile/RTPLAN.dcm"
PROTON = "aptg-proton/plan03_ramp_full/ramped_2Gy_ver2_full.dcm"
ION_STUB = "pydicom-testfiles/ExplVR_LitEndNoMeta.dcm"


@functools.cache
def _plan_files() -> tuple[str, ...]:
    """Corpus files whose SOP Class is RT Plan or RT Ion Plan (header-only walk)."""
    root = corpus_root()
    found = []
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            path = Path(dirpath) / name
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    ds = pydicom.dcmread(path, force=True, specific_tags=["SOPClassUID"])
                except Exception:
                    continue
            if str(ds.get("SOPClassUID", "")) in PLAN_CLASSES:
                found.append(str(path.relative_to(root)))
    return tuple(sorted(found))


def _params() -> list[str]:
    return list(_plan_files()) if corpus_root().is_dir() else []


def test_the_walk_finds_every_plan(corpus: Path) -> None:
    # 24 plan files in the corpus README's folders: a regression guard for the walk itself.
    assert len(_plan_files()) == 24
    assert ION_STUB in _plan_files() and PROTON in _plan_files()


@pytest.mark.parametrize("relative", _params())
def test_every_plan_loads(corpus: Path, relative: str) -> None:
    plan = read_plan(corpus / relative)
    assert plan.sop_instance_uid
    assert plan.prescription.source
    for beam in plan.beams:
        assert beam.control_points, f"beam {beam.number} has no control points"
        for cp in beam.control_points:
            assert cp.gantry_angle_deg is not None and 0 <= cp.gantry_angle_deg < 360
            assert cp.isocenter_mm is not None and not cp.isocenter_mm.flags.writeable


def test_dicompyler_core_plan(corpus: Path) -> None:
    plan = read_plan(corpus / DICOMPYLER)
    assert plan.kind is PlanKind.EXTERNAL
    assert [len(b.control_points) for b in plan.beams] == [92, 94, 103, 95]
    assert all(b.beam_type is BeamType.DYNAMIC for b in plan.beams)
    for beam in plan.beams:
        mlc = beam.mlc
        assert mlc is not None and mlc.device_type == "MLCX" and mlc.number_of_pairs == 60
        assert mlc.leaf_position_boundaries_mm is not None
        assert mlc.leaf_position_boundaries_mm.shape == (61,)
        assert beam.control_points[-1].mlc_mm is not None
        assert beam.control_points[-1].mlc_mm.shape == (120,)
    assert plan.fractions_planned == 7
    assert plan.prescription.dose_gy == pytest.approx(14.0)
    assert plan.prescription.dose_reference_number == 1
    assert "TARGET dose reference 1 'Breast'" in plan.prescription.source
    # The second TARGET (CALC POINT, 11.31 Gy) is smaller: the largest wins.
    assert plan.dose_references[1].target_prescription_dose_gy == pytest.approx(11.3113869239676)
    assert [b.meterset for b in plan.beams] == [97.0, 87.0, 89.0, 94.0]
    assert [b.nominal_energy for b in plan.beams] == [10.0, 6.0, 6.0, 10.0]
    assert [s.patient_position for s in plan.patient_setups] == ["HFS"] * 4
    assert [b.referenced_patient_setup_number for b in plan.beams] == [1, 2, 3, 4]
    assert not plan.findings


def test_raystation_srs_vmat(corpus: Path) -> None:
    plan = read_plan(corpus / RAYSTATION)
    arcs = [b for b in plan.beams if b.delivery_type is TreatmentDeliveryType.TREATMENT]
    setup = [b for b in plan.beams if b.delivery_type is TreatmentDeliveryType.SETUP]
    assert len(arcs) == 8 and all(len(b.control_points) == 91 for b in arcs)
    assert len(setup) == 3 and [b.number for b in setup] == [101, 102, 103]
    assert plan.fractions_planned == 5
    assert [b.meterset for b in setup] == [None, None, None]
    assert arcs[0].meterset == pytest.approx(301.4578)
    assert plan.prescription.dose_gy is None
    assert plan.prescription.source.startswith("none — user must set it")
    # Gantry rotation directions alternate CC / CW arcs, setup beams are NONE.
    assert [b.control_points[0].gantry_rotation for b in arcs[:2]] == [
        RotationDirection.CC, RotationDirection.CW]
    assert setup[0].control_points[0].gantry_rotation is RotationDirection.NONE
    # Arc 1 runs 179° → 181° counter-clockwise through 0 in 4° steps.
    gantry = [cp.gantry_angle_deg for cp in arcs[0].control_points]
    assert gantry[:3] == [179.0, 175.0, 171.0] and gantry[-1] == 181.0


def test_brainlab_mlcy(corpus: Path) -> None:
    plan = read_plan(corpus / "pps-vendor-plans/brainlab_plan_ptv/RTPL0235.dcm")
    assert [b.mlc.device_type for b in plan.beams] == ["MLCY"] * 3
    assert plan.beams[0].mlc.number_of_pairs == 26
    assert plan.beams[0].control_points[0].mlc_mm.shape == (52,)
    assert plan.prescription.dose_gy == pytest.approx(43.0)
    assert [len(b.control_points) for b in plan.beams] == [7, 13, 13]


@pytest.mark.parametrize("name", ["06MV_plan.dcm", "24mm_x_20mm_rectangle.dcm",
                                  "FFF_example.dcm", "vmat_example.dcm"])
def test_pymedphys_plans_without_file_meta(corpus: Path, name: str) -> None:
    plan = read_plan(corpus / "pymedphys" / name)
    assert "NO_FILE_META" in {f.code for f in plan.findings}
    assert all(b.mlc is not None and b.mlc.number_of_pairs == 80 for b in plan.beams)


def test_pymedphys_vmat_arcs(corpus: Path) -> None:
    plan = read_plan(corpus / "pymedphys/vmat_example.dcm")
    assert [len(b.control_points) for b in plan.beams] == [32, 31]
    assert [b.control_points[0].gantry_rotation for b in plan.beams] == [
        RotationDirection.CW, RotationDirection.CC]
    assert [b.meterset for b in plan.beams] == pytest.approx([157.238693, 158.782211])


def test_monaco_prescription_skips_the_empty_target(corpus: Path) -> None:
    plan = read_plan(corpus / MONACO)
    targets = [d for d in plan.dose_references if d.reference_type is DoseReferenceType.TARGET]
    assert len(targets) == 2 and targets[1].target_prescription_dose_gy is None
    assert plan.prescription.dose_gy == pytest.approx(20.0)
    assert plan.prescription.dose_reference_number == 1
    assert plan.fractions_planned == 3  # 20 Gy is the plan total, never × 3
    codes = {f.code for f in plan.findings}
    assert {"NO_FILE_META", "TARGET_WITHOUT_PRESCRIPTION"} <= codes


def test_pinnacle_step_and_shoot(corpus: Path) -> None:
    plan = read_plan(corpus / PINNACLE)
    assert len(plan.beams) == 12 and plan.fractions_planned == 10
    assert all(b.beam_type is BeamType.STATIC for b in plan.beams)
    assert [len(b.control_points) for b in plan.beams][:3] == [14, 12, 10]
    assert plan.prescription.dose_gy is None  # no dose references at all
    assert {"NO_PRESCRIPTION"} == {f.code for f in plan.findings}


def test_gamma_knife_plan_holds_one_placeholder_beam(corpus: Path) -> None:
    plan = read_plan(corpus / GAMMA_KNIFE)
    assert plan.model_name == "Leksell GammaPlan®"
    (beam,) = plan.beams
    assert beam.name == "bogus name" and beam.machine_name == "BOGUS NAME"
    assert beam.nominal_energy == 0.0 and beam.meterset is None
    assert [d.device_type for d in beam.devices] == ["X"]
    assert beam.control_points[1].isocenter_mm.tolist() == [100.0, 100.0, 100.0]
    codes = {f.code for f in plan.findings}
    assert {"CONTROL_POINT_INDEX", "BEAM_NOT_IN_FRACTION_GROUP", "BEAM_COUNT",
            "MISSING_PATIENT_SETUP", "NO_PRESCRIPTION"} == codes


def test_eclipse_prostate_cbct_beam(corpus: Path) -> None:
    plan = read_plan(corpus / ECLIPSE_PROSTATE)
    assert [b.name for b in plan.beams] == ["AP PROS", "RT LAT PROS", "PA PROS",
                                             "LT LAT PROS", "CBCT"]
    assert all(b.mlc is not None for b in plan.beams[:4])
    cbct = plan.beams[4]
    assert cbct.delivery_type is TreatmentDeliveryType.TREATMENT and cbct.mlc is None
    assert [d.device_type for d in cbct.devices] == ["X", "Y"]
    assert cbct.control_points[0].jaw_x_mm is not None and cbct.meterset is None
    assert {f.code for f in plan.findings} == {"BEAM_WITHOUT_METERSET"}
    assert plan.prescription.dose_gy == pytest.approx(46.0) and plan.fractions_planned == 23


def test_proton_plan_energy_layers(corpus: Path) -> None:
    plan = read_plan(corpus / PROTON)
    assert plan.kind is PlanKind.ION and len(plan.beams) == 2
    for beam in plan.beams:
        assert isinstance(beam, IonBeam)
        assert beam.radiation_type is RadiationType.PROTON and beam.scan_mode == "MODULATED"
        assert beam.virtual_sad_mm.tolist() == [2000.0, 2560.0]
        assert [s.snout_id for s in beam.snouts] == ["S1"]
        assert [d.device_id for d in beam.lateral_spreading_devices] == ["MagnetX", "MagnetY"]
        assert len(beam.control_points) == 44 and len(beam.energy_layers) == 22
        first, last = beam.energy_layers[0], beam.energy_layers[-1]
        assert first.nominal_energy_mev == pytest.approx(149.4)
        assert last.nominal_energy_mev == pytest.approx(83.5)
        assert first.number_of_spots == 448 and first.spot_positions_mm.shape == (448, 2)
        assert first.scanning_spot_size_mm.tolist() == pytest.approx([10.4923820, 10.4923820])
        assert first.number_of_paintings == 1
        assert first.control_point_indices == (0, 1)
        assert first.spot_meterset_weights.sum() == pytest.approx(1333.401, abs=1e-3)
        total = sum(layer.spot_metersets.sum() for layer in beam.energy_layers)
        assert total == pytest.approx(beam.meterset, rel=1e-6) and beam.meterset == 39294.15
        # Gantry, snout position inherited from control point 0 to every later one.
        assert beam.control_points[43].snout_position_mm == 421.0
    assert [b.control_points[43].gantry_angle_deg for b in plan.beams] == [90.0, 270.0]


def test_ion_plan_stub_loads_as_an_empty_header(corpus: Path) -> None:
    plan = read_plan(corpus / ION_STUB)
    assert plan.kind is PlanKind.ION and plan.beams == () and plan.fraction_groups == ()
    assert plan.intent == "CURATIVE" and plan.model_name == "XiO"
    codes = {f.code for f in plan.findings}
    assert {"NO_FILE_META", "NO_BEAMS", "NO_FRACTION_GROUPS", "NO_PRESCRIPTION"} <= codes
    message = next(f.message for f in plan.findings if f.code == "NO_BEAMS")
    assert message == ("The ion beam plan holds no beams: only its header (label, date, "
                       "intent) can be shown.")


def test_eclipse_hdr_brachy(corpus: Path) -> None:
    plan = read_plan(corpus / "pytg43-brachy/HDR/RP.HDR.dcm")
    assert plan.kind is PlanKind.BRACHY and plan.brachy is not None
    brachy = plan.brachy
    assert brachy.treatment_type is BrachyTreatmentType.HDR
    assert brachy.technique == "INTRACAVITARY" and brachy.machine_name == "GammaMed PlusHDR"
    (source,) = brachy.sources
    assert source.reference_air_kerma_rate == 40700.0 and source.half_life_days == 73.83
    assert source.strength_reference is not None and source.strength_reference.year == 2018
    totals = [c.total_time_s for c in brachy.channels]
    assert totals == pytest.approx([271.4, 101.0, 100.7], abs=1e-6)
    for channel in brachy.channels:
        assert channel.dwell_times_s.sum() == pytest.approx(channel.total_time_s, rel=1e-9)
        assert channel.dwell_positions_mm.shape == (channel.dwell_times_s.size, 3)
    first = brachy.channels[0]
    assert first.number_of_control_points == 30 and first.dwell_times_s.size == 15
    assert first.dwell_times_s[0] == pytest.approx(36.3, abs=1e-6)
    assert first.dwell_positions_mm[0].tolist() == pytest.approx(
        [-0.84044242, -30.115730037263, 47.9972798786971])
    assert first.source_applicator_id == "tandem" and first.source_applicator_step_size_mm == 5
    assert [p.description for p in plan.reference_points] == ["PtA_left", "PtA_right"]
    # The UNKNOWN UIDs of these files are findings, not crashes.
    assert any(f.code == "PYDICOM_WARNING" and "UNKNOWN" in f.message for f in plan.findings)
    assert plan.fraction_groups[0].referenced_brachy_setups[0].dose_gy == pytest.approx(
        6.00155707882398)


def test_eclipse_pdr_pulses(corpus: Path) -> None:
    plan = read_plan(corpus / "pytg43-brachy/PDR/RP.PDR.dcm")
    assert plan.brachy.treatment_type is BrachyTreatmentType.PDR
    channels = plan.brachy.channels
    assert [c.number_of_pulses for c in channels] == [43, 43, 43]
    for channel in channels:
        # What the file says: final cumulative time weight = 43 × Channel Total Time.
        assert channel.final_cumulative_time_weight == pytest.approx(43 * channel.total_time_s)
        assert channel.dwell_times_s.sum() == pytest.approx(channel.total_time_s)
        assert channel.total_time_all_pulses_s == pytest.approx(43 * channel.total_time_s)
        assert channel.dwell_times_all_pulses_s.sum() == pytest.approx(
            channel.final_cumulative_time_weight)
        assert channel.pulse_repetition_interval_s == 3600.0
    assert channels[0].total_time_s == pytest.approx(276.3)
    codes = [f.code for f in plan.findings]
    assert codes.count("PDR_TIME_WEIGHTS_ALL_PULSES") == 3


def test_oncentra_pdr(corpus: Path) -> None:
    plan = read_plan(corpus / "pytg43-brachy/oncentra/RP.oncentra.dcm")
    channels = plan.brachy.channels
    assert plan.brachy.treatment_type is BrachyTreatmentType.PDR
    assert plan.brachy.sources[0].isotope_name == "Ir-192"
    assert [c.number_of_pulses for c in channels][:3] == [42, 42, 42]
    first = channels[0]
    assert first.final_cumulative_time_weight == pytest.approx(10.1254993602633)
    assert first.dwell_times_s.size == 6
    assert first.dwell_times_s.sum() == pytest.approx(343.819236529414)
    # 0.54810971 of 10.12549936 of the per-pulse total time.
    assert first.dwell_times_s[0] == pytest.approx(0.54810971021652 / 10.1254993602633
                                                   * 343.819236529414)
    # Points carry Target Prescription Dose but are UNSPECIFIED: no prescription chosen.
    assert plan.prescription.dose_gy is None
    assert {"UNKNOWN_CODE", "PRESCRIPTION_ON_NON_TARGET"} <= {f.code for f in plan.findings}
    assert len(plan.reference_points) == 14
    assert np.isfinite(plan.reference_points[0].point_mm).all()
