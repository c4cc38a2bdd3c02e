"""Plans built with pydicom: control point inheritance, dwell times, private SOP classes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from rtviewer.dicom._plan_brachy import dwell_times
from rtviewer.dicom.plan import read_plan
from rtviewer.errors import UnsupportedObjectError
from rtviewer.model.plan import PlanKind, RotationDirection

RT_PLAN = "1.2.840.10008.5.1.4.1.1.481.5"
HALCYON = "1.2.246.352.70.1.70"


def _device(kind: str, positions: list[float]) -> Dataset:
    item = Dataset()
    item.RTBeamLimitingDeviceType = kind
    item.LeafJawPositions = positions
    return item


def _control_points() -> list[Dataset]:
    cp0 = Dataset()
    cp0.ControlPointIndex = 0
    cp0.NominalBeamEnergy = 6
    cp0.DoseRateSet = 600
    cp0.GantryAngle = 181
    cp0.GantryRotationDirection = "CW"
    cp0.BeamLimitingDeviceAngle = 10
    cp0.BeamLimitingDeviceRotationDirection = "NONE"
    cp0.PatientSupportAngle = 270
    cp0.PatientSupportRotationDirection = "NONE"
    cp0.TableTopVerticalPosition = -120
    cp0.IsocenterPosition = [1.5, -2.0, 30.0]
    cp0.SourceToSurfaceDistance = 900
    cp0.CumulativeMetersetWeight = 0
    cp0.BeamLimitingDevicePositionSequence = Sequence([
        _device("ASYMX", [-50, 50]), _device("ASYMY", [-40, 60]),
        _device("MLCX", [-10.0] * 3 + [10.0] * 3)])
    cp1 = Dataset()  # restates only the gantry and the MLC, as VMAT exports do
    cp1.ControlPointIndex = 1
    cp1.GantryAngle = 200
    cp1.CumulativeMetersetWeight = 0.5
    cp1.BeamLimitingDevicePositionSequence = Sequence([
        _device("MLCX", [-5.0] * 3 + [5.0] * 3)])
    cp2 = Dataset()  # restates the jaws and stops the rotation
    cp2.ControlPointIndex = 2
    cp2.GantryAngle = 220
    cp2.GantryRotationDirection = "NONE"
    cp2.CumulativeMetersetWeight = 1
    cp2.BeamLimitingDevicePositionSequence = Sequence([_device("ASYMY", [-20, 20])])
    return [cp0, cp1, cp2]


def make_external_plan(sop_class: str = RT_PLAN) -> Dataset:
    """A one-beam, three-control-point arc plan."""
    ds = Dataset()
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = generate_uid()
    ds.Modality = "RTPLAN"
    ds.RTPlanLabel = "ARC"
    ds.RTPlanDate = "20240102"
    ds.PlanIntent = "CURATIVE"
    setup = Dataset()
    setup.PatientSetupNumber = 1
    setup.PatientPosition = "FFP"
    ds.PatientSetupSequence = Sequence([setup])
    target = Dataset()
    target.DoseReferenceNumber = 1
    target.DoseReferenceStructureType = "SITE"
    target.DoseReferenceType = "TARGET"
    target.TargetPrescriptionDose = 60
    ds.DoseReferenceSequence = Sequence([target])
    ref_beam = Dataset()
    ref_beam.ReferencedBeamNumber = 1
    ref_beam.BeamMeterset = 250.5
    ref_beam.BeamDose = 2.0
    group = Dataset()
    group.FractionGroupNumber = 1
    group.NumberOfFractionsPlanned = 30
    group.NumberOfBeams = 1
    group.ReferencedBeamSequence = Sequence([ref_beam])
    ds.FractionGroupSequence = Sequence([group])
    beam = Dataset()
    beam.BeamNumber = 1
    beam.BeamName = "Arc 1"
    beam.BeamType = "DYNAMIC"
    beam.RadiationType = "PHOTON"
    beam.TreatmentDeliveryType = "TREATMENT"
    beam.TreatmentMachineName = "LINAC"
    beam.SourceAxisDistance = 1000
    beam.ReferencedPatientSetupNumber = 1
    mlc = Dataset()
    mlc.RTBeamLimitingDeviceType = "MLCX"
    mlc.NumberOfLeafJawPairs = 3
    mlc.LeafPositionBoundaries = [-15, -5, 5, 15]
    beam.BeamLimitingDeviceSequence = Sequence([mlc])
    beam.FinalCumulativeMetersetWeight = 1
    beam.NumberOfControlPoints = 3
    beam.ControlPointSequence = Sequence(_control_points())
    ds.BeamSequence = Sequence([beam])
    return ds


def write(ds: Dataset, path: Path) -> Path:
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.save_as(path, enforce_file_format=True)
    return path


def test_control_points_inherit_what_they_do_not_restate(tmp_path: Path) -> None:
    plan = read_plan(write(make_external_plan(), tmp_path / "arc.dcm"))
    assert plan.findings == ()
    (beam,) = plan.beams
    cp0, cp1, cp2 = beam.control_points
    assert [cp.gantry_angle_deg for cp in (cp0, cp1, cp2)] == [181.0, 200.0, 220.0]
    assert [cp.gantry_rotation for cp in (cp0, cp1, cp2)] == [
        RotationDirection.CW, RotationDirection.CW, RotationDirection.NONE]
    for cp in (cp1, cp2):  # carried forward
        assert cp.nominal_energy == 6.0 and cp.dose_rate_set == 600.0
        assert cp.collimator_angle_deg == 10.0 and cp.couch_angle_deg == 270.0
        assert cp.table_top_vertical_mm == -120.0
        assert cp.isocenter_mm.tolist() == [1.5, -2.0, 30.0]
        assert cp.jaw_x_mm.tolist() == [-50.0, 50.0]
    # Devices are carried forward per type.
    assert cp1.jaw_y_mm.tolist() == [-40.0, 60.0] and cp2.jaw_y_mm.tolist() == [-20.0, 20.0]
    assert cp1.mlc_mm.tolist() == [-5.0] * 3 + [5.0] * 3
    assert cp2.mlc_mm.tolist() == [-5.0] * 3 + [5.0] * 3
    assert [cp.cumulative_meterset_weight for cp in (cp0, cp1, cp2)] == [0.0, 0.5, 1.0]
    # SSD is not inherited: it changes with the gantry.
    assert cp0.ssd_mm == 900.0 and cp1.ssd_mm is None
    assert beam.meterset == 250.5 and beam.beam_dose_gy == 2.0
    assert plan.patient_setup(1).patient_position == "FFP"
    assert plan.prescription.dose_gy == 60.0 and plan.fractions_planned == 30


def test_arrays_are_read_only(tmp_path: Path) -> None:
    plan = read_plan(write(make_external_plan(), tmp_path / "arc.dcm"))
    cp = plan.beams[0].control_points[1]
    with pytest.raises(ValueError, match="read-only"):
        cp.mlc_mm[0] = 3.0
    with pytest.raises(ValueError, match="read-only"):
        plan.beams[0].mlc.leaf_position_boundaries_mm[0] = 0.0


def test_private_halcyon_sop_class_is_read_as_a_plan(corpus: Path, tmp_path: Path) -> None:
    ds = pydicom.dcmread(corpus / "dicompyler-core/rtplan.dcm")
    ds.SOPClassUID = HALCYON
    ds.file_meta.MediaStorageSOPClassUID = HALCYON
    path = tmp_path / "halcyon.dcm"
    ds.save_as(path)
    plan = read_plan(path)
    assert plan.kind is PlanKind.EXTERNAL and plan.sop_class_uid == HALCYON
    assert [len(b.control_points) for b in plan.beams] == [92, 94, 103, 95]
    (finding,) = [f for f in plan.findings if f.code == "PRIVATE_SOP_CLASS"]
    assert "Halcyon" in finding.message and finding.attribute == "SOPClassUID"


def test_unknown_sop_class_with_plan_content_is_read_with_a_finding(tmp_path: Path) -> None:
    plan = read_plan(write(make_external_plan("1.2.3.4.5.6"), tmp_path / "odd.dcm"))
    assert len(plan.beams) == 1
    assert [f.code for f in plan.findings] == ["PRIVATE_SOP_CLASS"]


def test_a_file_that_is_not_a_plan_raises_a_named_error(corpus: Path) -> None:
    path = corpus / "pydicom-testfiles/rtdose.dcm"
    with pytest.raises(UnsupportedObjectError, match="not a treatment plan") as info:
        read_plan(path)
    assert info.value.path == path


def test_missing_fraction_group_meterset_is_a_finding(tmp_path: Path) -> None:
    ds = make_external_plan()
    del ds.FractionGroupSequence[0].ReferencedBeamSequence[0].BeamMeterset
    plan = read_plan(write(ds, tmp_path / "no_mu.dcm"))
    assert plan.beams[0].meterset is None
    assert [f.code for f in plan.beams[0].findings] == ["BEAM_WITHOUT_METERSET"]


def test_dwell_times_from_cumulative_time_weights() -> None:
    # Two dwells (same-position pairs) and one 1 s transit between them.
    positions = np.array([[0, 0, 0], [0, 0, 0], [0, 0, 5], [0, 0, 5]], dtype=float)
    weights = np.array([0.0, 2.0, 3.0, 8.0])
    starts, times = dwell_times(positions, weights, 8.0, 16.0)
    assert starts.tolist() == [0, 2]
    assert times.tolist() == [4.0, 10.0]  # ΔCTW / 8 × 16 s


def test_fast_decimal_string_path_matches_pydicom(corpus: Path) -> None:
    from rtviewer.dicom.values import Notes, vector

    ds = pydicom.dcmread(corpus / "dicompyler-core/rtplan.dcm")
    fresh = pydicom.dcmread(corpus / "dicompyler-core/rtplan.dcm")
    for beam, beam_again in zip(ds.BeamSequence, fresh.BeamSequence, strict=True):
        for cp, cp_again in zip(beam.ControlPointSequence, beam_again.ControlPointSequence,
                                strict=True):
            for dev, dev_again in zip(cp.get("BeamLimitingDevicePositionSequence", []),
                                      cp_again.get("BeamLimitingDevicePositionSequence", []),
                                      strict=True):
                ours = vector(dev, "LeafJawPositions", Notes(), "test")
                theirs = [float(v) for v in dev_again.LeafJawPositions]
                assert ours is not None and ours.tolist() == theirs


def test_bad_decimal_strings_become_findings(tmp_path: Path) -> None:
    path = write(make_external_plan(), tmp_path / "bad.dcm")
    good = b"-5.0\\-5.0\\-5.0\\5.0\\5.0\\5.0"  # control point 1's MLC
    data = path.read_bytes()
    assert data.count(good) == 1
    path.write_bytes(data.replace(good, b"-5.0\\abcd\\-5.0\\5.0\\5.0\\5.0"))
    plan = read_plan(path)
    (bad,) = [f for f in plan.findings if f.code == "UNUSABLE_VALUE"]
    assert bad.attribute == "LeafJawPositions" and "(300A,011C)" in bad.message
    # The bad MLC setting is ignored: the previous control point's leaves carry forward.
    assert plan.beams[0].control_points[1].mlc_mm.tolist() == [-10.0] * 3 + [10.0] * 3


def test_beam_accessories(tmp_path: Path) -> None:
    ds = make_external_plan()
    beam = ds.BeamSequence[0]
    wedge = Dataset()
    wedge.WedgeNumber = 1
    wedge.WedgeType = "MOTORIZED"
    wedge.WedgeID = "W60"
    wedge.WedgeAngle = 60
    wedge.WedgeFactor = 0.28
    wedge.WedgeOrientation = 90
    beam.NumberOfWedges = 1
    beam.WedgeSequence = Sequence([wedge])
    block = Dataset()
    block.BlockNumber = 1
    block.BlockName = "cord"
    block.BlockType = "SHIELDING"
    block.BlockDivergence = "PRESENT"
    block.MaterialID = "CERROBEND"
    block.BlockThickness = 75
    block.BlockTrayID = "T1"
    block.BlockNumberOfPoints = 4
    block.BlockData = [-10, -10, 10, -10, 10, 10, -10, 10]
    beam.NumberOfBlocks = 1
    beam.BlockSequence = Sequence([block])
    applicator = Dataset()
    applicator.ApplicatorID = "A10"
    applicator.ApplicatorType = "ELECTRON_SQUARE"
    beam.ApplicatorSequence = Sequence([applicator])
    compensator = Dataset()
    compensator.CompensatorNumber = 1
    compensator.CompensatorID = "C1"
    compensator.CompensatorType = "STANDARD"
    compensator.CompensatorRows = 2
    compensator.CompensatorColumns = 3
    beam.NumberOfCompensators = 1
    beam.CompensatorSequence = Sequence([compensator])
    beam.NumberOfBoli = 1
    beam.ControlPointSequence[0].WedgePositionSequence = Sequence([Dataset()])
    beam.ControlPointSequence[0].WedgePositionSequence[0].ReferencedWedgeNumber = 1
    beam.ControlPointSequence[0].WedgePositionSequence[0].WedgePosition = "IN"
    (read,) = read_plan(write(ds, tmp_path / "acc.dcm")).beams
    (w,) = read.wedges
    assert (w.wedge_id, w.angle_deg, w.factor, w.orientation_deg) == ("W60", 60.0, 0.28, 90.0)
    (b,) = read.blocks
    assert b.block_type == "SHIELDING" and b.thickness_mm == 75.0
    assert b.data_mm.tolist() == [[-10, -10], [10, -10], [10, 10], [-10, 10]]
    assert read.applicators[0].applicator_id == "A10"
    c = read.compensators[0]
    assert (c.compensator_id, c.rows, c.columns) == ("C1", 2, 3)
    assert read.number_of_boli == 1
    assert [cp.wedge_positions for cp in read.control_points] == [((1, "IN"),)] * 3


def _carbon_plan() -> Dataset:
    ds = make_external_plan("1.2.840.10008.5.1.4.1.1.481.8")
    beam = ds.BeamSequence[0]
    del ds.BeamSequence
    del beam.SourceAxisDistance
    del beam.BeamLimitingDeviceSequence
    beam.RadiationType = "ION"
    beam.BeamType = "STATIC"
    beam.RadiationMassNumber = 12
    beam.RadiationAtomicNumber = 6
    beam.RadiationChargeState = 6
    beam.ScanMode = "MODULATED"
    beam.VirtualSourceAxisDistances = [6500, 7000]
    shifter = Dataset()
    shifter.RangeShifterNumber = 1
    shifter.RangeShifterID = "RS3"
    shifter.RangeShifterType = "BINARY"
    beam.RangeShifterSequence = Sequence([shifter])
    modulator = Dataset()
    modulator.RangeModulatorNumber = 1
    modulator.RangeModulatorID = "RiFi3"
    modulator.RangeModulatorType = "FIXED"
    beam.RangeModulatorSequence = Sequence([modulator])
    points = []
    for index, (energy, weights) in enumerate([(250.0, [1.0, 3.0]), (250.0, [0.0, 0.0]),
                                               (200.0, [2.0, 4.0]), (200.0, [0.0, 0.0])]):
        cp = Dataset()
        cp.ControlPointIndex = index
        cp.NominalBeamEnergy = energy
        cp.CumulativeMetersetWeight = [0, 4, 4, 10][index]
        cp.ScanSpotTuneID = "3.0"
        cp.NumberOfScanSpotPositions = 2
        cp.ScanSpotPositionMap = [-5.0, 0.0, 5.0, 2.5]
        cp.ScanSpotMetersetWeights = weights
        cp.NumberOfPaintings = 2
        if index == 0:
            cp.GantryAngle = 90
            cp.GantryRotationDirection = "NONE"
            # Type 1C in the first ion control point (PS3.3 C.8.8.25).
            cp.BeamLimitingDeviceAngle = 0
            cp.PatientSupportAngle = 0
            cp.IsocenterPosition = [0, 0, 0]
            setting = Dataset()
            setting.ReferencedRangeShifterNumber = 1
            setting.RangeShifterSetting = "IN"
            setting.RangeShifterWaterEquivalentThickness = 30.0
            cp.RangeShifterSettingsSequence = Sequence([setting])
            cp.SnoutPosition = 300
        points.append(cp)
    del beam.ControlPointSequence
    beam.NumberOfControlPoints = 4
    beam.FinalCumulativeMetersetWeight = 10
    beam.IonControlPointSequence = Sequence(points)
    ds.IonBeamSequence = Sequence([beam])
    ds.FractionGroupSequence[0].ReferencedBeamSequence[0].BeamMeterset = 20.0
    return ds


def test_carbon_ion_beam(tmp_path: Path) -> None:
    plan = read_plan(write(_carbon_plan(), tmp_path / "carbon.dcm"))
    assert plan.kind is PlanKind.ION and plan.findings == ()
    (beam,) = plan.beams
    assert (beam.radiation_mass_number, beam.radiation_atomic_number) == (12, 6)
    assert beam.virtual_sad_mm.tolist() == [6500.0, 7000.0]
    assert beam.range_shifters[0].range_shifter_id == "RS3"
    assert beam.range_modulators[0].range_modulator_id == "RiFi3"
    cp0, cp1 = beam.control_points[:2]
    assert cp0.range_shifter_settings[0].water_equivalent_thickness_mm == 30.0
    assert cp1.range_shifter_settings == cp0.range_shifter_settings  # stated once, inherited
    assert cp1.snout_position_mm == 300.0 and cp1.gantry_angle_deg == 90.0
    layers = beam.energy_layers
    assert [layer.nominal_energy_mev for layer in layers] == [250.0, 200.0]
    assert layers[0].spot_positions_mm.tolist() == [[-5.0, 0.0], [5.0, 2.5]]
    assert layers[1].spot_meterset_weights.tolist() == [2.0, 4.0]
    # MU = weight × Beam Meterset (20) / Final Cumulative Meterset Weight (10).
    assert layers[1].spot_metersets.tolist() == [4.0, 8.0]
    assert layers[0].number_of_paintings == 2 and layers[0].control_point_indices == (0, 1)


def test_prescription_from_the_fraction_group_when_the_target_has_none(
        tmp_path: Path) -> None:
    ds = make_external_plan()
    del ds.DoseReferenceSequence[0].TargetPrescriptionDose
    group_ref = Dataset()
    group_ref.ReferencedDoseReferenceNumber = 1
    group_ref.TargetPrescriptionDose = 54
    ds.FractionGroupSequence[0].ReferencedDoseReferenceSequence = Sequence([group_ref])
    plan = read_plan(write(ds, tmp_path / "fg.dcm"))
    assert plan.prescription.dose_gy == 54.0 and plan.prescription.dose_reference_number == 1
    assert "fraction group 1" in plan.prescription.source
    assert plan.fraction_groups[0].dose_references[0].target_prescription_dose_gy == 54.0
    assert "NO_PRESCRIPTION" not in {f.code for f in plan.findings}


def test_largest_target_wins_and_organs_at_risk_never_count(tmp_path: Path) -> None:
    ds = make_external_plan()
    boost = Dataset()
    boost.DoseReferenceNumber = 2
    boost.DoseReferenceStructureType = "VOLUME"
    boost.DoseReferenceType = "TARGET"
    boost.DoseReferenceDescription = "PTV boost"
    boost.TargetPrescriptionDose = 66
    cord = Dataset()
    cord.DoseReferenceNumber = 3
    cord.DoseReferenceStructureType = "VOLUME"
    cord.DoseReferenceType = "ORGAN_AT_RISK"
    cord.TargetPrescriptionDose = 80  # nonsense on an OAR: must be ignored
    ds.DoseReferenceSequence = Sequence([*ds.DoseReferenceSequence, boost, cord])
    plan = read_plan(write(ds, tmp_path / "boost.dcm"))
    assert plan.prescription.dose_gy == 66.0 and plan.prescription.dose_reference_number == 2
    assert plan.prescription.source == ("Target Prescription Dose (300A,0026) of TARGET dose "
                                        "reference 2 'PTV boost' (largest of 2)")
    assert "PRESCRIPTION_ON_NON_TARGET" in {f.code for f in plan.findings}
