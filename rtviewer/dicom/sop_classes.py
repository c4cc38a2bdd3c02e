"""The SOP Classes rtviewer knows: name and kind of object.

``kind`` is what the viewer does with an instance:

=================  ===========================================================
``image``          a slice or multi-frame image: CT (also CBCT), MR, PET, NM, ...
``rtstruct``       RT Structure Set
``rtplan``         RT Plan (external beam and brachy), incl. known private classes
``rtionplan``      RT Ion Plan
``rtdose``         RT Dose
``rtimage``        RT Image (portal images, DRRs)
``rtrecord``       RT Beams / Ion Beams / Brachy Treatment Record, Treatment Summary
``registration``   Spatial and Deformable Spatial Registration
``segmentation``   Segmentation, Surface Segmentation
``dicomdir``       Media Storage Directory (DICOMDIR): skipped by the scan
``other``          anything else (listed, not displayed)
=================  ===========================================================
"""

from __future__ import annotations

from dataclasses import dataclass

from pydicom import config, uid
from pydicom.uid import UID

__all__ = ["SopClass", "SOP_CLASSES", "lookup", "KINDS", "IMAGE_KINDS", "PLAN_KINDS",
           "RT_IMAGE", "RT_DOSE", "RT_STRUCTURE_SET", "RT_PLAN", "RT_ION_PLAN",
           "RT_TREATMENT_SUMMARY_RECORD"]

KINDS: tuple[str, ...] = (
    "image", "rtstruct", "rtplan", "rtionplan", "rtdose", "rtimage", "rtrecord",
    "registration", "segmentation", "dicomdir", "other",
)
#: Kinds whose instances carry Pixel Data that is an image of the patient.
IMAGE_KINDS: frozenset[str] = frozenset({"image"})
#: Kinds an RTDOSE, RT Image or record may name as its plan.
PLAN_KINDS: frozenset[str] = frozenset({"rtplan", "rtionplan"})


@dataclass(frozen=True)
class SopClass:
    """A SOP Class as rtviewer understands it.

    Parameters
    ----------
    uid : str
    name : str
        The DICOM name (or the vendor's, for private classes).
    kind : str
        One of :data:`KINDS`.
    private : bool
        A vendor's private SOP Class carrying standard content (e.g. Varian Halcyon
        plans), read as its standard counterpart.
    multiframe : bool
        The class stores a whole volume in one instance (enhanced images, RT Dose).
    """

    uid: str
    name: str
    kind: str
    private: bool = False
    multiframe: bool = False


def _standard(sop_class_uid: UID, kind: str, multiframe: bool = False) -> SopClass:
    """A standard SOP Class, named as pydicom's UID dictionary (the standard's PS3.6) names it."""
    return SopClass(str(sop_class_uid), sop_class_uid.name, kind, multiframe=multiframe)


#: The RT SOP Class UIDs the readers test by name (the table below has them all).
RT_IMAGE = str(uid.RTImageStorage)
RT_DOSE = str(uid.RTDoseStorage)
RT_STRUCTURE_SET = str(uid.RTStructureSetStorage)
RT_PLAN = str(uid.RTPlanStorage)
RT_TREATMENT_SUMMARY_RECORD = str(uid.RTTreatmentSummaryRecordStorage)
RT_ION_PLAN = str(uid.RTIonPlanStorage)

_TABLE: tuple[SopClass, ...] = (
    _standard(uid.CTImageStorage, "image"),  # also cone-beam CT
    _standard(uid.EnhancedCTImageStorage, "image", multiframe=True),
    _standard(uid.LegacyConvertedEnhancedCTImageStorage, "image", multiframe=True),
    _standard(uid.MRImageStorage, "image"),
    _standard(uid.EnhancedMRImageStorage, "image", multiframe=True),
    _standard(uid.EnhancedMRColorImageStorage, "image", multiframe=True),
    _standard(uid.LegacyConvertedEnhancedMRImageStorage, "image", multiframe=True),
    _standard(uid.PositronEmissionTomographyImageStorage, "image"),
    _standard(uid.LegacyConvertedEnhancedPETImageStorage, "image", multiframe=True),
    _standard(uid.EnhancedPETImageStorage, "image", multiframe=True),
    _standard(uid.NuclearMedicineImageStorage, "image", multiframe=True),
    _standard(uid.ComputedRadiographyImageStorage, "image"),
    _standard(uid.DigitalXRayImageStorageForPresentation, "image"),
    _standard(uid.SecondaryCaptureImageStorage, "image"),
    _standard(uid.MultiFrameSingleBitSecondaryCaptureImageStorage, "image", multiframe=True),
    _standard(uid.MultiFrameGrayscaleByteSecondaryCaptureImageStorage, "image",
              multiframe=True),
    _standard(uid.MultiFrameGrayscaleWordSecondaryCaptureImageStorage, "image",
              multiframe=True),
    _standard(uid.MultiFrameTrueColorSecondaryCaptureImageStorage, "image", multiframe=True),
    _standard(uid.RTImageStorage, "rtimage"),
    _standard(uid.RTDoseStorage, "rtdose", multiframe=True),
    _standard(uid.RTStructureSetStorage, "rtstruct"),
    _standard(uid.RTBeamsTreatmentRecordStorage, "rtrecord"),
    _standard(uid.RTPlanStorage, "rtplan"),
    _standard(uid.RTBrachyTreatmentRecordStorage, "rtrecord"),
    _standard(uid.RTTreatmentSummaryRecordStorage, "rtrecord"),
    _standard(uid.RTIonPlanStorage, "rtionplan"),
    _standard(uid.RTIonBeamsTreatmentRecordStorage, "rtrecord"),
    _standard(uid.SpatialRegistrationStorage, "registration"),
    _standard(uid.DeformableSpatialRegistrationStorage, "registration"),
    _standard(uid.SegmentationStorage, "segmentation", multiframe=True),
    _standard(uid.SurfaceSegmentationStorage, "segmentation"),
    _standard(uid.MediaStorageDirectoryStorage, "dicomdir"),
    # Varian's private class for Halcyon/Ethos plans: standard RT Plan content.
    SopClass("1.2.246.352.70.1.70", "Varian RT Plan (private)", "rtplan", private=True),
)

#: The known SOP Classes by UID.
SOP_CLASSES: dict[str, SopClass] = {c.uid: c for c in _TABLE}


def lookup(uid: str | None) -> SopClass:
    """Return what rtviewer knows about a SOP Class UID.

    Parameters
    ----------
    uid : str or None
        A SOP Class UID (trailing NUL or spaces are ignored).

    Returns
    -------
    SopClass
        The table entry, or for an unknown UID one of kind ``"other"`` named by
        pydicom's UID dictionary (the UID itself when pydicom does not know it).

    Examples
    --------
    >>> lookup("1.2.840.10008.5.1.4.1.1.481.5").kind
    'rtplan'
    >>> lookup("1.2.246.352.70.1.70").private
    True
    """
    clean = (uid or "").strip("\x00 ")
    known = SOP_CLASSES.get(clean)
    if known is not None:
        return known
    if not clean:
        return SopClass("", "(no SOP Class UID)", "other")
    # Not validated: a malformed UID from a foreign writer is named, not warned about here
    # (the scan reports the file's own warnings once, as findings).
    return SopClass(clean, UID(clean, validation_mode=config.IGNORE).name, "other")
