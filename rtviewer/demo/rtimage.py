"""RT Image files: a DRR per beam and a simulated MV portal image."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from pydicom.uid import RTImageStorage, RTPlanStorage

from rtviewer.demo.beams import PlannedBeam
from rtviewer.demo.drr import ImagePlane
from rtviewer.demo.rtplan import MACHINE
from rtviewer.demo.writer import (
    Patient,
    Series,
    new_dataset,
    sequence_item,
    set_uint16_pixels,
    write_dataset,
)

__all__ = ["RtImageSpec", "write_rt_image"]


@dataclass(frozen=True)
class RtImageSpec:
    """Identity, kind and references of one RT Image."""

    uid: str
    label: str
    kind: str  # "DRR" or "PORTAL"
    plan_uid: str
    beam: PlannedBeam
    fraction_number: int | None = None
    orientation: tuple[str, str] = ("", "")  # Patient Orientation of rows and columns


def _exposure(spec: RtImageSpec):
    ap = spec.beam.apertures[0]
    devices = [
        sequence_item(RTBeamLimitingDeviceType="ASYMX", NumberOfLeafJawPairs=1,
                      LeafJawPositions=list(ap.jaw_x_mm)),
        sequence_item(RTBeamLimitingDeviceType="ASYMY", NumberOfLeafJawPairs=1,
                      LeafJawPositions=list(ap.jaw_y_mm)),
    ]
    return sequence_item(BeamLimitingDeviceSequence=devices, NumberOfBlocks=0,
                         GantryAngle=spec.beam.gantry_deg[0],
                         BeamLimitingDeviceAngle=spec.beam.collimator_deg,
                         PatientSupportAngle=0.0)


def write_rt_image(pixels: NDArray[np.uint16], plane: ImagePlane, spec: RtImageSpec, *,
                   patient: Patient, series: Series, instance_number: int, out_dir: Path) -> Path:
    """Write one RT Image (plane NORMAL, receptor angle 0) of beam ``spec.beam``."""
    ds = new_dataset(sop_class_uid=RTImageStorage, sop_instance_uid=spec.uid, patient=patient,
                     series=series, instance_number=instance_number)
    portal = spec.kind == "PORTAL"
    ds.ImageType = ["ORIGINAL", "PRIMARY", "PORTAL"] if portal else ["DERIVED", "SECONDARY", "DRR"]
    ds.ConversionType = "DI" if portal else "WSD"
    if portal:
        ds.ReportedValuesOrigin = "ACTUAL"
    set_uint16_pixels(ds, pixels)
    # The pixels are computed (DRR / simulated portal dose), never written on: saying so
    # lets an anonymised export include them without asking (General Image module).
    ds.BurnedInAnnotation = "NO"
    ds.RTImageLabel = spec.label
    ds.RTImageName = spec.label
    ds.RTImageDescription = (f"{'MV portal image' if portal else 'DRR'} of beam "
                             f"{spec.beam.number} ({spec.beam.name})")
    ds.RTImagePlane = "NORMAL"
    ds.XRayImageReceptorAngle = 0.0
    ds.ImagePlanePixelSpacing = [plane.pixel_mm, plane.pixel_mm]
    ds.RTImagePosition = [round(float(v), 4) for v in plane.position_mm]
    ds.PatientOrientation = list(spec.orientation)
    ds.RadiationMachineName = MACHINE
    ds.PrimaryDosimeterUnit = "MU"
    ds.RadiationMachineSAD = 1000.0
    ds.RTImageSID = plane.sid_mm
    ds.ReferencedRTPlanSequence = [sequence_item(ReferencedSOPClassUID=RTPlanStorage,
                                                 ReferencedSOPInstanceUID=spec.plan_uid)]
    ds.ReferencedBeamNumber = spec.beam.number
    ds.ReferencedFractionGroupNumber = 1
    if spec.fraction_number is not None:
        ds.FractionNumber = spec.fraction_number
    if portal:
        ds.ExposureSequence = [_exposure(spec)]
    ds.GantryAngle = spec.beam.gantry_deg[0]
    ds.BeamLimitingDeviceAngle = spec.beam.collimator_deg
    ds.PatientSupportAngle = 0.0
    ds.IsocenterPosition = [round(v, 2) for v in spec.beam.isocenter_mm]
    ds.PatientPosition = "HFS"
    window = np.percentile(pixels, [1, 99.5])
    ds.WindowCenter = round(float(window.mean()), 1)
    ds.WindowWidth = round(max(float(window[1] - window[0]), 1.0), 1)
    return write_dataset(ds, out_dir)
