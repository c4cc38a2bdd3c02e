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

from pydicom import config
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


_STORAGE = "1.2.840.10008.5.1.4.1.1."

#: The RT SOP Class UIDs the readers test by name (the table below has them all).
RT_IMAGE = _STORAGE + "481.1"
RT_DOSE = _STORAGE + "481.2"
RT_STRUCTURE_SET = _STORAGE + "481.3"
RT_PLAN = _STORAGE + "481.5"
RT_TREATMENT_SUMMARY_RECORD = _STORAGE + "481.7"
RT_ION_PLAN = _STORAGE + "481.8"

_TABLE: tuple[SopClass, ...] = (
    SopClass(_STORAGE + "2", "CT Image Storage", "image"),  # also cone-beam CT
    SopClass(_STORAGE + "2.1", "Enhanced CT Image Storage", "image", multiframe=True),
    SopClass(_STORAGE + "2.2", "Legacy Converted Enhanced CT Image Storage", "image",
             multiframe=True),
    SopClass(_STORAGE + "4", "MR Image Storage", "image"),
    SopClass(_STORAGE + "4.1", "Enhanced MR Image Storage", "image", multiframe=True),
    SopClass(_STORAGE + "4.3", "Enhanced MR Color Image Storage", "image", multiframe=True),
    SopClass(_STORAGE + "4.4", "Legacy Converted Enhanced MR Image Storage", "image",
             multiframe=True),
    SopClass(_STORAGE + "128", "Positron Emission Tomography Image Storage", "image"),
    SopClass(_STORAGE + "128.1", "Legacy Converted Enhanced PET Image Storage", "image",
             multiframe=True),
    SopClass(_STORAGE + "130", "Enhanced PET Image Storage", "image", multiframe=True),
    SopClass(_STORAGE + "20", "Nuclear Medicine Image Storage", "image", multiframe=True),
    SopClass(_STORAGE + "1", "Computed Radiography Image Storage", "image"),
    SopClass(_STORAGE + "1.1", "Digital X-Ray Image Storage - For Presentation", "image"),
    SopClass(_STORAGE + "7", "Secondary Capture Image Storage", "image"),
    SopClass(_STORAGE + "7.1", "Multi-frame Single Bit Secondary Capture Image Storage",
             "image", multiframe=True),
    SopClass(_STORAGE + "7.2", "Multi-frame Grayscale Byte Secondary Capture Image Storage",
             "image", multiframe=True),
    SopClass(_STORAGE + "7.3", "Multi-frame Grayscale Word Secondary Capture Image Storage",
             "image", multiframe=True),
    SopClass(_STORAGE + "7.4", "Multi-frame True Color Secondary Capture Image Storage",
             "image", multiframe=True),
    SopClass(RT_IMAGE, "RT Image Storage", "rtimage"),
    SopClass(RT_DOSE, "RT Dose Storage", "rtdose", multiframe=True),
    SopClass(RT_STRUCTURE_SET, "RT Structure Set Storage", "rtstruct"),
    SopClass(_STORAGE + "481.4", "RT Beams Treatment Record Storage", "rtrecord"),
    SopClass(RT_PLAN, "RT Plan Storage", "rtplan"),
    SopClass(_STORAGE + "481.6", "RT Brachy Treatment Record Storage", "rtrecord"),
    SopClass(RT_TREATMENT_SUMMARY_RECORD, "RT Treatment Summary Record Storage", "rtrecord"),
    SopClass(RT_ION_PLAN, "RT Ion Plan Storage", "rtionplan"),
    SopClass(_STORAGE + "481.9", "RT Ion Beams Treatment Record Storage", "rtrecord"),
    SopClass(_STORAGE + "66.1", "Spatial Registration Storage", "registration"),
    SopClass(_STORAGE + "66.3", "Deformable Spatial Registration Storage", "registration"),
    SopClass(_STORAGE + "66.4", "Segmentation Storage", "segmentation", multiframe=True),
    SopClass(_STORAGE + "66.5", "Surface Segmentation Storage", "segmentation"),
    SopClass("1.2.840.10008.1.3.10", "Media Storage Directory Storage", "dicomdir"),
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
