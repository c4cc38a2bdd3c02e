"""What a file without its SOP Class UID is: inferred, said, never silent.

SOP Class UID (0008,0016) is Type 1 in the SOP Common module (PS3.3 C.12.1.1): a
file without it is not conformant, and every reader and check that dispatches on
the class would otherwise skip it silently. The class is taken from what the file
says elsewhere, in this order:

1. the Media Storage SOP Class UID of its file meta (0002,0002), the writer's own
   statement of the class, when it is a standard storage class;
2. its Modality together with the content that tells the classes of one modality
   apart (an RT Plan with an Ion Beam Sequence is an RT Ion Plan);
3. the content alone (Dose Grid Scaling is only in RT Dose objects...).

The result names its source, so that the finding says how the class was chosen.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydicom import uid as _uid
from pydicom.dataset import Dataset

from rtviewer.model.findings import Finding, Severity

__all__ = ["InferredSopClass", "has_sop_class_uid", "infer_sop_class",
           "missing_sop_class_finding", "MISSING_SOP_CLASS_UID"]

#: The finding code for a file without SOP Class UID.
MISSING_SOP_CLASS_UID = "MISSING_SOP_CLASS_UID"

# (Modality, a keyword the object must hold or None, SOP Class UID); first match wins.
_BY_MODALITY: tuple[tuple[str, str | None, str], ...] = (
    ("RTPLAN", "IonBeamSequence", _uid.RTIonPlanStorage),
    ("RTPLAN", None, _uid.RTPlanStorage),
    ("RTDOSE", None, _uid.RTDoseStorage),
    ("RTSTRUCT", None, _uid.RTStructureSetStorage),
    ("RTIMAGE", None, _uid.RTImageStorage),
    ("RTRECORD", "TreatmentSessionIonBeamSequence", _uid.RTIonBeamsTreatmentRecordStorage),
    ("RTRECORD", "TreatmentSessionApplicationSetupSequence",
     _uid.RTBrachyTreatmentRecordStorage),
    ("RTRECORD", "TreatmentSessionBeamSequence", _uid.RTBeamsTreatmentRecordStorage),
    ("CT", "ImagePositionPatient", _uid.CTImageStorage),
    ("MR", "ImagePositionPatient", _uid.MRImageStorage),
    ("PT", "ImagePositionPatient", _uid.PositronEmissionTomographyImageStorage),
)

# (a keyword only one class holds, SOP Class UID), for a file without usable Modality.
_BY_CONTENT: tuple[tuple[str, str], ...] = (
    ("IonBeamSequence", _uid.RTIonPlanStorage),
    ("BeamSequence", _uid.RTPlanStorage),
    ("ApplicationSetupSequence", _uid.RTPlanStorage),
    ("FractionGroupSequence", _uid.RTPlanStorage),
    ("DoseGridScaling", _uid.RTDoseStorage),
    ("StructureSetROISequence", _uid.RTStructureSetStorage),
    ("RTImagePlane", _uid.RTImageStorage),
    ("TreatmentSessionBeamSequence", _uid.RTBeamsTreatmentRecordStorage),
)


@dataclass(frozen=True)
class InferredSopClass:
    """The class a file without SOP Class UID is read as.

    Parameters
    ----------
    uid : str or None
        The SOP Class UID inferred, or None when nothing in the file tells.
    source : str
        How it was inferred, as a phrase ("its Modality RTDOSE").
    """

    uid: str | None
    source: str

    @property
    def name(self) -> str:
        """The class's name (``RT Dose Storage``), or ``unknown``."""
        return _uid.UID(self.uid).name if self.uid else "unknown"


def has_sop_class_uid(ds: Dataset) -> bool:
    """Whether the dataset carries a non-empty SOP Class UID (0008,0016)."""
    value = ds.get("SOPClassUID")
    return bool(str(value or "").strip("\x00 "))


def _text(ds: Dataset, keyword: str) -> str:
    try:
        return str(ds.get(keyword) or "").strip("\x00 ").upper()
    except Exception:  # noqa: BLE001 - an undecodable value tells nothing
        return ""


def infer_sop_class(ds: Dataset) -> InferredSopClass:
    """Infer the SOP Class of a dataset that lacks (0008,0016); see the module."""
    meta = getattr(ds, "file_meta", None)
    media = _text(meta, "MediaStorageSOPClassUID") if meta is not None else ""
    if media.startswith("1.2.840.10008.5.1.4.1.1."):
        return InferredSopClass(media, "the Media Storage SOP Class UID of its file meta")
    modality = _text(ds, "Modality")
    for wanted, keyword, sop in _BY_MODALITY:
        if modality == wanted and (keyword is None or keyword in ds):
            held = f" and its {keyword}" if keyword else ""
            return InferredSopClass(str(sop), f"its Modality {modality}{held}")
    for keyword, sop in _BY_CONTENT:
        if keyword in ds:
            return InferredSopClass(str(sop), f"its content ({keyword})")
    shown = f"Modality {modality}" if modality else "no Modality"
    return InferredSopClass(None, f"nothing in it ({shown}, no RT content)")


def missing_sop_class_finding(inferred: InferredSopClass, *, empty: bool = False) -> Finding:
    """The error for a missing (or empty) SOP Class UID, saying what it is read as."""
    state = "present but empty" if empty else "missing"
    if inferred.uid:
        how = (f"rtviewer infers {inferred.name} from {inferred.source} and checks and "
               "reads it as that")
        assumption = f"{inferred.name} (inferred from {inferred.source})"
    else:
        how = f"rtviewer cannot infer the class from {inferred.source}"
        assumption = "the object is listed, not displayed; its IOD is not checked"
    return Finding(
        MISSING_SOP_CLASS_UID,
        f"SOP Class UID (0008,0016), Type 1 in the SOP Common module (PS3.3 C.12.1), is "
        f"{state}: other systems cannot tell what this object is; {how}.",
        Severity.ERROR, "SOPClassUID", assumption)
