"""The one set of tables rtviewer's network roles use: the code and docs/CONFORMANCE.md read them.

Storage SOP Classes come from :mod:`rtviewer.dicom.sop_classes` (the kinds the viewer
displays); transfer syntaxes from :mod:`rtviewer.dicom.transfer_syntaxes` (those whose
pixel data rtviewer decodes).
"""

from __future__ import annotations

from dataclasses import dataclass

from pydicom import uid as _uid

from rtviewer.dicom.sop_classes import SOP_CLASSES, SopClass
from rtviewer.dicom.transfer_syntaxes import DECODED_TRANSFER_SYNTAXES
from rtviewer.model.kind import KIND_TEXT, Kind

__all__ = ["DISPLAYED_KINDS", "STORAGE_CLASSES", "TRANSFER_SYNTAXES", "UNCOMPRESSED_SYNTAXES",
           "COMMAND_SYNTAXES", "VERIFICATION", "QR_FIND_MODELS", "QR_GET_MODELS",
           "QR_MOVE_MODELS", "Role", "ROLES", "ASSOCIATION_POLICIES"]

#: Kinds the viewer displays (:data:`rtviewer.model.kind.KIND_TEXT`): accepted by the SCP.
DISPLAYED_KINDS: tuple[Kind, ...] = tuple(k for k, text in KIND_TEXT.items() if text.displayed)

#: Storage SOP Classes accepted as SCP (Receive, C-GET) and offered as SCU (Send).
STORAGE_CLASSES: tuple[SopClass, ...] = tuple(
    c for c in SOP_CLASSES.values() if c.kind in DISPLAYED_KINDS)

#: Every transfer syntax accepted for storage: exactly those rtviewer decodes
#: (:mod:`rtviewer.dicom.transfer_syntaxes`, the one list shared with the media reader).
TRANSFER_SYNTAXES: tuple[str, ...] = tuple(t.uid for t in DECODED_TRANSFER_SYNTAXES)

#: Uncompressed syntaxes, in order of preference (Explicit VR first: keeps VRs intact).
UNCOMPRESSED_SYNTAXES: tuple[str, ...] = (
    _uid.ExplicitVRLittleEndian,
    _uid.ImplicitVRLittleEndian,
    _uid.DeflatedExplicitVRLittleEndian,
    _uid.ExplicitVRBigEndian,
)

#: Syntaxes for C-ECHO and the Query/Retrieve models (no pixel data in those messages).
COMMAND_SYNTAXES: tuple[str, ...] = (_uid.ImplicitVRLittleEndian, _uid.ExplicitVRLittleEndian)

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
    Role("Verification", "SCP", (VERIFICATION,), COMMAND_SYNTAXES,
         "rtviewer receive answers C-ECHO."),
    Role("Storage (Receive)", "SCP", _STORAGE_UIDS, TRANSFER_SYNTAXES,
         "rtviewer receive; also the C-STORE sub-operations of C-GET and C-MOVE. "
         "Objects are stored byte for byte as received."),
    Role("Verification", "SCU", (VERIFICATION,), COMMAND_SYNTAXES,
         "rtviewer query NODE --echo; Echo in the window's Network → Query / Retrieve dialog."),
    Role("Query (C-FIND)", "SCU", QR_FIND_MODELS, COMMAND_SYNTAXES,
         "Patient Root at PATIENT level, Study Root at STUDY and SERIES level."),
    Role("Retrieve (C-GET)", "SCU", QR_GET_MODELS, COMMAND_SYNTAXES,
         "With SCP/SCU Role Selection for every storage class above (as SCP)."),
    Role("Retrieve (C-MOVE)", "SCU", QR_MOVE_MODELS, COMMAND_SYNTAXES,
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
     "`--max-associations`); more are rejected (local limit exceeded) and the log names "
     "who held the slots. Only connections that have sent an A-ASSOCIATE-RQ count"),
    ("Idle connections", "a TCP connection that has not sent a whole A-ASSOCIATE-RQ within "
     "5 s (the ARTIM timer, PS3.8 9.1.5) is closed and logged; it never holds a slot. Within "
     "an association, a PDU that stalls (no byte for 60 s) ends it"),
    ("Largest object", "`receiver.max_object_mb` MiB (default 2048; `--max-object-mb`): the "
     "association is aborted as soon as more of one object has arrived (nothing of it is "
     "stored); within C-GET, larger objects get status A700 (Out of Resources)"),
    ("Storage", "written to a temporary file, then moved into "
     "STORE/StudyInstanceUID/SeriesInstanceUID/SOPInstanceUID.dcm; UIDs that are not valid "
     "UIDs become hashed names; a different object with a known SOP Instance UID is kept "
     "beside it as SOPInstanceUID.SHA1-8.dcm; the same object again (same dataset, in any "
     "transfer syntax) is not stored twice"),
    ("Sending", "each object is proposed in its own transfer syntax in a presentation "
     "context of its own, and sent unchanged when the peer accepts it; uncompressed objects "
     "are also proposed as Explicit and Implicit VR Little Endian, with ambiguous VRs "
     "(OB or OW, US or SS) resolved before re-encoding"),
    ("Maximum PDU", "16382 bytes received, peer's maximum when sending"),
)
