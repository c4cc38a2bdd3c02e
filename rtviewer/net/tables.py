"""The one set of tables rtviewer's network roles use: the code and docs/CONFORMANCE.md read them.

Storage SOP Classes come from :mod:`rtviewer.dicom.sop_classes` (the kinds the viewer
displays); transfer syntaxes are those pydicom decodes with rtviewer's declared
dependencies (uncompressed, RLE via pydicom, JPEG Baseline via Pillow, JPEG 2000 and
HTJ2K via pylibjpeg-openjpeg).
"""

from __future__ import annotations

from dataclasses import dataclass

from pydicom import uid as _uid

from rtviewer.dicom.sop_classes import SOP_CLASSES, SopClass

__all__ = ["DISPLAYED_KINDS", "STORAGE_CLASSES", "TRANSFER_SYNTAXES",
           "UNCOMPRESSED_SYNTAXES", "VERIFICATION", "QR_FIND_MODELS", "QR_GET_MODELS",
           "QR_MOVE_MODELS", "Role", "ROLES", "ASSOCIATION_POLICIES"]

#: Kinds of :mod:`rtviewer.dicom.sop_classes` the viewer displays: accepted by the SCP.
DISPLAYED_KINDS: tuple[str, ...] = (
    "image", "rtstruct", "rtplan", "rtionplan", "rtdose", "rtimage", "rtrecord")

#: Storage SOP Classes accepted as SCP (Receive, C-GET) and offered as SCU (Send).
STORAGE_CLASSES: tuple[SopClass, ...] = tuple(
    c for c in SOP_CLASSES.values() if c.kind in DISPLAYED_KINDS)

#: Uncompressed syntaxes, in order of preference (Explicit VR first: keeps VRs intact).
UNCOMPRESSED_SYNTAXES: tuple[str, ...] = (
    _uid.ExplicitVRLittleEndian,
    _uid.ImplicitVRLittleEndian,
    _uid.DeflatedExplicitVRLittleEndian,
    _uid.ExplicitVRBigEndian,
)

#: Every transfer syntax accepted for storage: pixel data rtviewer can decode.
TRANSFER_SYNTAXES: tuple[str, ...] = UNCOMPRESSED_SYNTAXES + (
    _uid.RLELossless,
    _uid.JPEGBaseline8Bit,
    _uid.JPEG2000Lossless,
    _uid.JPEG2000,
    _uid.HTJ2KLossless,
    _uid.HTJ2KLosslessRPCL,
    _uid.HTJ2K,
)

VERIFICATION = "1.2.840.10008.1.1"
QR_FIND_MODELS: tuple[str, ...] = (
    "1.2.840.10008.5.1.4.1.2.1.1",  # Patient Root Q/R Information Model - FIND
    "1.2.840.10008.5.1.4.1.2.2.1",  # Study Root Q/R Information Model - FIND
)
QR_GET_MODELS: tuple[str, ...] = (
    "1.2.840.10008.5.1.4.1.2.1.3",  # Patient Root - GET
    "1.2.840.10008.5.1.4.1.2.2.3",  # Study Root - GET
)
QR_MOVE_MODELS: tuple[str, ...] = (
    "1.2.840.10008.5.1.4.1.2.1.2",  # Patient Root - MOVE
    "1.2.840.10008.5.1.4.1.2.2.2",  # Study Root - MOVE
)


@dataclass(frozen=True)
class Role:
    """One network role: SOP Classes in one role, with the transfer syntaxes used."""

    name: str
    role: str  # "SCP" or "SCU"
    sop_classes: tuple[str, ...]
    transfer_syntaxes: tuple[str, ...]
    note: str


_STORAGE_UIDS = tuple(c.uid for c in STORAGE_CLASSES)

#: The roles rtviewer plays on the network (docs/CONFORMANCE.md lists exactly these).
ROLES: tuple[Role, ...] = (
    Role("Verification", "SCP", (VERIFICATION,), (_uid.ImplicitVRLittleEndian,
                                                  _uid.ExplicitVRLittleEndian),
         "rtviewer receive answers C-ECHO."),
    Role("Storage (Receive)", "SCP", _STORAGE_UIDS, TRANSFER_SYNTAXES,
         "rtviewer receive; also the C-STORE sub-operations of C-GET and C-MOVE. "
         "Objects are stored byte for byte as received."),
    Role("Verification", "SCU", (VERIFICATION,), (_uid.ImplicitVRLittleEndian,),
         "rtviewer query NODE --echo; Test connection in the window."),
    Role("Query (C-FIND)", "SCU", QR_FIND_MODELS, (_uid.ImplicitVRLittleEndian,
                                                  _uid.ExplicitVRLittleEndian),
         "Patient Root at PATIENT level, Study Root at STUDY and SERIES level."),
    Role("Retrieve (C-GET)", "SCU", QR_GET_MODELS, (_uid.ImplicitVRLittleEndian,
                                                   _uid.ExplicitVRLittleEndian),
         "With SCP/SCU Role Selection for every storage class above (as SCP)."),
    Role("Retrieve (C-MOVE)", "SCU", QR_MOVE_MODELS, (_uid.ImplicitVRLittleEndian,
                                                     _uid.ExplicitVRLittleEndian),
         "Move destination: rtviewer's own AE title, which the remote node must know."),
    Role("Storage (Send)", "SCU", _STORAGE_UIDS, TRANSFER_SYNTAXES,
         "Each object is offered in its own transfer syntax, uncompressed ones also "
         "as Explicit and Implicit VR Little Endian; never recompressed."),
)

#: Association policies of the Storage SCP (defaults come from rtviewer.config).
ASSOCIATION_POLICIES: tuple[tuple[str, str], ...] = (
    ("AE title", "RTVIEWER (setting `receiver.ae_title`, `--aet`)"),
    ("Listening address", "127.0.0.1 port 11112 only; other interfaces only by the explicit "
     "setting `receiver.bind` / `--bind`"),
    ("Calling AE titles", "any, or only those in the allow-list (`--allow-aet`); others are "
     "rejected (A-ASSOCIATE-RJ, calling AE title not recognised)"),
    ("Called AE title", "must equal rtviewer's AE title"),
    ("Simultaneous associations", "at most `receiver.max_associations` (default 4; "
     "`--max-associations`); more are rejected (local limit exceeded)"),
    ("Largest object", "`receiver.max_object_mb` MiB (default 2048); larger objects are "
     "refused with status A700 (Out of Resources)"),
    ("Storage", "written to a temporary file, then moved into "
     "STORE/StudyInstanceUID/SeriesInstanceUID/SOPInstanceUID.dcm; UIDs that are not valid "
     "UIDs become hashed names; a different object with a known SOP Instance UID is kept "
     "beside it as SOPInstanceUID.SHA1-8.dcm"),
    ("Maximum PDU", "16382 bytes received, peer's maximum when sending"),
)
