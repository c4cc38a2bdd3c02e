"""Corpus plans rewritten with other beam-limiting devices and accessories.

Each function reads a real corpus plan, changes its beams as another machine or
planning system would write them, and saves the copy under a folder of the caller
(always ``tmp_path``: the corpus is read-only). The RT Structure Set beside the plan
is copied too, so ``rtviewer render`` draws the anatomy behind the beam.

- :func:`dual_layer_plan`: the Eclipse prostate plan as a Halcyon would carry it: static
  ``X``/``Y`` jaws at ±140 mm and two stacked MLC layers (``MLCX1`` distal, ``MLCX2``
  proximal, 28 pairs of 10 mm each, the proximal layer offset by 5 mm), each pair
  following the corpus field at its own centre line.
- :func:`accessory_plan`: the same plan with a physical wedge, a dynamic wedge, a
  divergent and a non-divergent block, an electron applicator, a compensator and a bolus.
- :func:`ion_device_plan`: the proton plan with a range shifter and a range modulator.
- :func:`tilted_rt_image`: the prostate DRR on a tilted (NON_NORMAL) image plane.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pydicom
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from pydicom.uid import generate_uid

__all__ = ["PROSTATE_PLAN", "PROSTATE_STRUCTURES", "HALCYON_LAYERS", "dual_layer_plan",
           "accessory_plan", "corpus_leaf_positions", "ion_device_plan", "tilted_rt_image",
           "TILTED_ROW", "TILTED_COLUMN", "BOLUS_ROI", "PROTON_FOLDER", "PROTON_PLAN",
           "PROSTATE_DRR"]

PROSTATE_PLAN = "slicerrt-eclipse-prostate/RP.1.2.246.352.71.5.2088656855.377401.20110920153647.dcm"
PROSTATE_STRUCTURES = ("slicerrt-eclipse-prostate/"
                       "RS.1.2.246.352.71.4.2088656855.2404649.20110920153449.dcm")

#: Leaf Position Boundaries of the two Halcyon layers (mm at isocentre): distal
#: MLCX1 from -140 to 140, proximal MLCX2 offset by half a leaf.
HALCYON_LAYERS = {"MLCX1": np.arange(-140.0, 140.1, 10.0),
                  "MLCX2": np.arange(-145.0, 135.1, 10.0)}


def _dataset(**values: Any) -> Dataset:
    """A dataset holding ``values`` by keyword."""
    ds = Dataset()
    for keyword, value in values.items():
        setattr(ds, keyword, value)
    return ds


def _copy_structures(corpus: Path, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(corpus / PROSTATE_STRUCTURES, folder / Path(PROSTATE_STRUCTURES).name)


#: ROI Number of the bolus :func:`accessory_plan` adds to the structure set.
BOLUS_ROI = 17


def _structures_with_bolus(corpus: Path, folder: Path) -> None:
    """The prostate structure set plus a 10 mm BOLUS slab on the anterior skin.

    On every BODY contour plane the bolus is the rectangle x ∈ [-60, 60] mm, from the
    most anterior BODY point 10 mm outwards (LPS: towards -y).
    """
    folder.mkdir(parents=True, exist_ok=True)
    ds = pydicom.dcmread(corpus / PROSTATE_STRUCTURES)
    body = next(c for c in ds.ROIContourSequence if c.ReferencedROINumber == 1)
    contours = []
    for contour in body.ContourSequence:
        xyz = np.array(contour.ContourData, dtype=float).reshape(-1, 3)
        y0, z = float(xyz[:, 1].min()), float(xyz[0, 2])
        square = [(-60.0, y0 - 10.0), (60.0, y0 - 10.0), (60.0, y0), (-60.0, y0)]
        contours.append(_dataset(
            ContourGeometricType="CLOSED_PLANAR", NumberOfContourPoints=4,
            ContourData=[v for x, y in square for v in (x, y, z)]))
    ds.StructureSetROISequence.append(_dataset(
        ROINumber=BOLUS_ROI, ReferencedFrameOfReferenceUID=ds.StructureSetROISequence[0]
        .ReferencedFrameOfReferenceUID, ROIName="Bolus 10mm", ROIGenerationAlgorithm="MANUAL"))
    ds.ROIContourSequence.append(_dataset(ReferencedROINumber=BOLUS_ROI,
                                          ROIDisplayColor=[255, 0, 255],
                                          ContourSequence=Sequence(contours)))
    ds.RTROIObservationsSequence.append(_dataset(
        ObservationNumber=BOLUS_ROI, ReferencedROINumber=BOLUS_ROI,
        RTROIInterpretedType="BOLUS", ROIInterpreter=""))
    ds.save_as(folder / Path(PROSTATE_STRUCTURES).name)


def _device(kind: str, pairs: int, boundaries: np.ndarray | None = None) -> Dataset:
    d = Dataset()
    d.RTBeamLimitingDeviceType = kind
    d.NumberOfLeafJawPairs = pairs
    if boundaries is not None:
        d.LeafPositionBoundaries = [float(v) for v in boundaries]
    return d


def _position(kind: str, values: np.ndarray) -> Dataset:
    d = Dataset()
    d.RTBeamLimitingDeviceType = kind
    d.LeafJawPositions = [round(float(v), 3) for v in values]
    return d


def corpus_leaf_positions(cp: Dataset, boundaries: np.ndarray, corpus_bounds: np.ndarray,
                          ) -> np.ndarray:
    """Bank A then bank B of a layer whose pair follows the corpus field at its centre.

    The corpus jaws are folded into the leaves (a Halcyon has no moving jaws): a pair
    whose centre lies outside the corpus Y jaws, or whose corpus opening lies outside
    its X jaws, is closed at the field's centre line.
    """
    by_type = {p.RTBeamLimitingDeviceType: np.array(p.LeafJawPositions, dtype=float)
               for p in cp.BeamLimitingDevicePositionSequence}
    leaves, jx, jy = by_type["MLCX"], by_type["ASYMX"], by_type["ASYMY"]
    n = leaves.size // 2
    centres = 0.5 * (boundaries[:-1] + boundaries[1:])
    a = np.empty(centres.size)
    b = np.empty(centres.size)
    for k, c in enumerate(centres):
        index = int(np.searchsorted(corpus_bounds, c)) - 1
        low = max(leaves[index], jx[0]) if 0 <= index < n else 0.0
        high = min(leaves[n + index], jx[1]) if 0 <= index < n else 0.0
        if not (jy[0] < c < jy[1]) or high <= low:
            low = high = 0.0
        a[k], b[k] = low, high
    return np.concatenate([a, b])


def dual_layer_plan(corpus: Path, folder: Path) -> Path:
    """Write the prostate plan with Halcyon's dual-layer MLC; returns the plan's path."""
    ds = pydicom.dcmread(corpus / PROSTATE_PLAN)
    ds.SOPInstanceUID = generate_uid(entropy_srcs=["rtviewer dual-layer", ds.SOPInstanceUID])
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.RTPlanLabel = "HALCYON"
    for beam in ds.BeamSequence:
        devices = {d.RTBeamLimitingDeviceType: d for d in beam.BeamLimitingDeviceSequence}
        if "MLCX" not in devices:
            continue
        corpus_bounds = np.array(devices["MLCX"].LeafPositionBoundaries, dtype=float)
        beam.TreatmentMachineName = "Halcyon"
        beam.BeamLimitingDeviceSequence = Sequence(
            [_device("X", 1), _device("Y", 1)]
            + [_device(kind, bounds.size - 1, bounds) for kind, bounds in HALCYON_LAYERS.items()])
        for cp in beam.ControlPointSequence:
            if "BeamLimitingDevicePositionSequence" not in cp:
                continue
            layers = [_position(kind, corpus_leaf_positions(cp, bounds, corpus_bounds))
                      for kind, bounds in HALCYON_LAYERS.items()]
            cp.BeamLimitingDevicePositionSequence = Sequence(
                [_position("X", np.array([-140.0, 140.0])),
                 _position("Y", np.array([-140.0, 140.0])), *layers])
    _copy_structures(corpus, folder)
    out = folder / "RP.halcyon.dcm"
    ds.save_as(out)
    return out


def _wedge(number: int, kind: str, angle: float, orientation: float, wedge_id: str) -> Dataset:
    w = Dataset()
    w.WedgeNumber = number
    w.WedgeType = kind
    w.WedgeID = wedge_id
    w.WedgeAngle = angle
    w.WedgeFactor = 0.72 if kind == "STANDARD" else 1.0
    w.WedgeOrientation = orientation
    w.SourceToWedgeTrayDistance = 560.0
    return w


def _block(number: int, kind: str, divergence: str, outline: np.ndarray) -> Dataset:
    b = Dataset()
    b.BlockNumber = number
    b.BlockName = f"{kind.lower()} {number}"
    b.BlockType = kind
    b.BlockDivergence = divergence
    b.BlockMountingPosition = "PATIENT_SIDE"
    b.MaterialID = "CERROBEND"
    b.BlockThickness = 75.0
    b.SourceToBlockTrayDistance = 650.0
    b.BlockTrayID = "TRAY1"
    b.BlockNumberOfPoints = len(outline)
    b.BlockData = [float(v) for v in np.asarray(outline, dtype=float).ravel()]
    return b


#: The blocks of :func:`accessory_plan`'s beam 1, mm at isocentre in IEC BLD.
SHIELD_OUTLINE = np.array([[20.0, -40.0], [50.0, -40.0], [50.0, -10.0], [20.0, -10.0]])
APERTURE_OUTLINE = np.array([[-60.0, -100.0], [55.0, -100.0], [55.0, 40.0], [-60.0, 40.0]])


def accessory_plan(corpus: Path, folder: Path) -> Path:
    """Write the prostate plan with wedges, blocks, applicator, compensator and bolus.

    Beam 1: a 30° physical wedge (orientation 90°), a divergent shielding block and a
    non-divergent aperture block, a compensator. Beam 2: a 45° dynamic wedge
    (orientation 0°) and a bolus (ROI 17, a 10 mm slab added to the structure set).
    Beam 3: an electron applicator 10 × 10 cm.
    """
    ds = pydicom.dcmread(corpus / PROSTATE_PLAN)
    ds.SOPInstanceUID = generate_uid(entropy_srcs=["rtviewer accessories", ds.SOPInstanceUID])
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.RTPlanLabel = "ACCESSORIES"
    beams = {b.BeamNumber: b for b in ds.BeamSequence}
    one, two, three = beams[1], beams[2], beams[3]
    one.NumberOfWedges = 1
    one.WedgeSequence = Sequence([_wedge(1, "STANDARD", 30.0, 90.0, "W30")])
    one.NumberOfBlocks = 2
    one.BlockSequence = Sequence([_block(1, "SHIELDING", "PRESENT", SHIELD_OUTLINE),
                                  _block(2, "APERTURE", "ABSENT", APERTURE_OUTLINE)])
    comp = Dataset()
    comp.CompensatorNumber = 1
    comp.CompensatorID = "COMP1"
    comp.CompensatorType = "STANDARD"
    comp.CompensatorRows = 4
    comp.CompensatorColumns = 5
    comp.CompensatorPixelSpacing = [10.0, 10.0]
    comp.CompensatorPosition = [-25.0, 20.0]
    comp.CompensatorThicknessData = [float(v) for v in range(20)]
    comp.SourceToCompensatorTrayDistance = 600.0
    one.NumberOfCompensators = 1
    one.CompensatorSequence = Sequence([comp])
    for cp in one.ControlPointSequence:
        pos = Dataset()
        pos.ReferencedWedgeNumber = 1
        pos.WedgePosition = "IN"
        cp.WedgePositionSequence = Sequence([pos])
    two.NumberOfWedges = 1
    two.WedgeSequence = Sequence([_wedge(1, "DYNAMIC", 45.0, 0.0, "EDW45OUT")])
    bolus = Dataset()
    bolus.ReferencedROINumber = BOLUS_ROI
    two.NumberOfBoli = 1
    two.ReferencedBolusSequence = Sequence([bolus])
    applicator = Dataset()
    applicator.ApplicatorID = "A10"
    applicator.ApplicatorType = "ELECTRON_SQUARE"
    applicator.ApplicatorDescription = "10x10 electron cone"
    geometry = Dataset()
    geometry.ApplicatorApertureShape = "SYM_SQUARE"
    geometry.ApplicatorOpening = 100.0
    applicator.ApplicatorGeometrySequence = Sequence([geometry])
    three.ApplicatorSequence = Sequence([applicator])
    _structures_with_bolus(corpus, folder)
    out = folder / "RP.accessories.dcm"
    ds.save_as(out)
    return out


PROTON_FOLDER = "aptg-proton/plan03_ramp_full"
PROTON_PLAN = "ramped_2Gy_ver2_full.dcm"


def ion_device_plan(corpus: Path, folder: Path) -> Dataset:
    """The corpus proton plan with a range shifter (IN, 40 mm WET) and a range modulator.

    Written as ``folder/ramped_2Gy_ver2_full.dcm`` with the corpus structure set beside
    it; returns the dataset written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    ds = pydicom.dcmread(corpus / PROTON_FOLDER / PROTON_PLAN)
    beam = ds.IonBeamSequence[0]
    beam.NumberOfRangeShifters = 1
    beam.RangeShifterSequence = Sequence([_dataset(
        RangeShifterNumber=1, RangeShifterID="RS40", RangeShifterType="BINARY")])
    beam.NumberOfRangeModulators = 1
    beam.RangeModulatorSequence = Sequence([_dataset(
        RangeModulatorNumber=1, RangeModulatorID="RM1", RangeModulatorType="FIXED")])
    beam.IonControlPointSequence[0].RangeShifterSettingsSequence = Sequence([_dataset(
        ReferencedRangeShifterNumber=1, RangeShifterSetting="IN",
        IsocenterToRangeShifterDistance=300.0, RangeShifterWaterEquivalentThickness=40.0)])
    ds.save_as(folder / PROTON_PLAN)
    for structures in (corpus / PROTON_FOLDER).glob("RS*.dcm"):
        shutil.copy(structures, folder / structures.name)
    return ds


PROSTATE_DRR = "slicerrt-eclipse-prostate/RI.1.2.246.352.71.3.2088656855.2381134.20110921150951.dcm"
#: Row and column directions of :func:`tilted_rt_image` (receptor system): rows tilted
#: 20° out of the receptor plane about its y axis.
TILT_DEG = 20.0
TILTED_ROW = np.array([np.cos(np.deg2rad(TILT_DEG)), 0.0, np.sin(np.deg2rad(TILT_DEG))])
TILTED_COLUMN = np.array([0.0, -1.0, 0.0])


def tilted_rt_image(corpus: Path, folder: Path, *, orientation: bool = True,
                    sid: float = 1500.0, isocenter: Any = None) -> Path:
    """The prostate DRR as a NON_NORMAL image (SID ``sid``), beside a copy of its plan.

    ``orientation=False`` leaves RT Image Orientation out (a file that cannot be
    placed as it says); ``isocenter`` writes an Isocenter Position.
    """
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(corpus / PROSTATE_PLAN, folder / Path(PROSTATE_PLAN).name)
    ds = pydicom.dcmread(corpus / PROSTATE_DRR)
    ds.RTImagePlane = "NON_NORMAL"
    ds.RTImageSID = sid
    if orientation:
        ds.RTImageOrientation = [float(v) for v in (*TILTED_ROW, *TILTED_COLUMN)]
    if isocenter is not None:
        ds.IsocenterPosition = [float(v) for v in isocenter]
    out = folder / Path(PROSTATE_DRR).name
    ds.save_as(out)
    return out
