"""The SOP Classes rtviewer knows: name and :class:`~rtviewer.model.kind.Kind` of object.

UIDs and names come from ``pydicom.uid`` (the standard's PS3.6); only vendors' private
classes are typed here. Every row's kind is a :class:`Kind`; adding a kind of object
is described in ``docs/ARCHITECTURE.md`` (``tests/dicom/test_kinds.py`` checks it).
"""

from __future__ import annotations

from dataclasses import dataclass

from pydicom import config, uid
from pydicom.uid import UID

from rtviewer.model.kind import Kind

__all__ = ["SopClass", "SOP_CLASSES", "lookup",
           "RT_IMAGE", "RT_DOSE", "RT_STRUCTURE_SET", "RT_PLAN", "RT_ION_PLAN",
           "RT_TREATMENT_SUMMARY_RECORD"]

@dataclass(frozen=True)
class SopClass:
    """A SOP Class as rtviewer understands it.

    Parameters
    ----------
    uid : str
    name : str
        The DICOM name (or the vendor's, for private classes).
    kind : Kind
        What rtviewer does with its instances.
    private : bool
        A vendor's private SOP Class carrying standard content (e.g. Varian Halcyon
        plans), read as its standard counterpart.
    multiframe : bool
        The class stores a whole volume in one instance (enhanced images, RT Dose).
    """

    uid: str
    name: str
    kind: Kind
    private: bool = False
    multiframe: bool = False


def _standard(sop_class_uid: UID, kind: Kind, multiframe: bool = False) -> SopClass:
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
    _standard(uid.CTImageStorage, Kind.IMAGE),  # also cone-beam CT
    _standard(uid.EnhancedCTImageStorage, Kind.IMAGE, multiframe=True),
    _standard(uid.LegacyConvertedEnhancedCTImageStorage, Kind.IMAGE, multiframe=True),
    _standard(uid.MRImageStorage, Kind.IMAGE),
    _standard(uid.EnhancedMRImageStorage, Kind.IMAGE, multiframe=True),
    _standard(uid.EnhancedMRColorImageStorage, Kind.IMAGE, multiframe=True),
    _standard(uid.LegacyConvertedEnhancedMRImageStorage, Kind.IMAGE, multiframe=True),
    _standard(uid.PositronEmissionTomographyImageStorage, Kind.IMAGE),
    _standard(uid.LegacyConvertedEnhancedPETImageStorage, Kind.IMAGE, multiframe=True),
    _standard(uid.EnhancedPETImageStorage, Kind.IMAGE, multiframe=True),
    _standard(uid.NuclearMedicineImageStorage, Kind.IMAGE, multiframe=True),
    _standard(uid.ComputedRadiographyImageStorage, Kind.IMAGE),
    _standard(uid.DigitalXRayImageStorageForPresentation, Kind.IMAGE),
    _standard(uid.SecondaryCaptureImageStorage, Kind.IMAGE),
    _standard(uid.MultiFrameSingleBitSecondaryCaptureImageStorage, Kind.IMAGE, multiframe=True),
    _standard(uid.MultiFrameGrayscaleByteSecondaryCaptureImageStorage, Kind.IMAGE,
              multiframe=True),
    _standard(uid.MultiFrameGrayscaleWordSecondaryCaptureImageStorage, Kind.IMAGE,
              multiframe=True),
    _standard(uid.MultiFrameTrueColorSecondaryCaptureImageStorage, Kind.IMAGE, multiframe=True),
    _standard(uid.RTImageStorage, Kind.RT_IMAGE),
    _standard(uid.RTDoseStorage, Kind.DOSE, multiframe=True),
    _standard(uid.RTStructureSetStorage, Kind.STRUCTURE_SET),
    _standard(uid.RTBeamsTreatmentRecordStorage, Kind.RECORD),
    _standard(uid.RTPlanStorage, Kind.PLAN),
    _standard(uid.RTBrachyTreatmentRecordStorage, Kind.RECORD),
    _standard(uid.RTTreatmentSummaryRecordStorage, Kind.RECORD),
    _standard(uid.RTIonPlanStorage, Kind.ION_PLAN),
    _standard(uid.RTIonBeamsTreatmentRecordStorage, Kind.RECORD),
    _standard(uid.SpatialRegistrationStorage, Kind.REGISTRATION),
    _standard(uid.DeformableSpatialRegistrationStorage, Kind.REGISTRATION),
    _standard(uid.SegmentationStorage, Kind.SEGMENTATION, multiframe=True),
    _standard(uid.SurfaceSegmentationStorage, Kind.SEGMENTATION),
    _standard(uid.MediaStorageDirectoryStorage, Kind.DICOMDIR),
    # Varian's private class for Halcyon/Ethos plans: standard RT Plan content.
    SopClass("1.2.246.352.70.1.70", "Varian RT Plan (private)", Kind.PLAN, private=True),
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
        The table entry, or for an unknown UID one of kind ``Kind.OTHER`` named by
        pydicom's UID dictionary (the UID itself when pydicom does not know it).

    Examples
    --------
    >>> lookup("1.2.840.10008.5.1.4.1.1.481.5").kind
    <Kind.PLAN: 'rtplan'>
    >>> lookup("1.2.246.352.70.1.70").private
    True
    """
    clean = (uid or "").strip("\x00 ")
    known = SOP_CLASSES.get(clean)
    if known is not None:
        return known
    if not clean:
        return SopClass("", "(no SOP Class UID)", Kind.OTHER)
    # Not validated: a malformed UID from a foreign writer is named, not warned about here
    # (the scan reports the file's own warnings once, as findings).
    return SopClass(clean, UID(clean, validation_mode=config.IGNORE).name, Kind.OTHER)
