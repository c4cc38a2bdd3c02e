"""Proof, not hope: re-read every exported file and name any original identifier left.

The identifiers come from the source files (:func:`collect_identifiers`): every
person name and the patient, institution and equipment IDs, the birth date, every
instance UID (class and transfer syntax UIDs are not identifying) and every date.
:func:`find_leaks` walks an exported file -- nested sequences, file meta and private
elements included, private values of unknown VR decoded as text -- and reports each
element still holding one.

Matching rules (kept narrow on purpose, so a clean export reports nothing):

* UI elements: the value is an original instance UID.
* DA / DT elements: the date is an original date that is not also a shifted one.
* RT labels and descriptions kept for review: the whole value equals an identifier
  (phantom names such as ``gbm^brain`` share words with ROI names like ``BRAIN - PTV``).
* Any other text, private values included: contains an identifier of 4 characters or
  more, or equals a shorter one; contains the birth date or an original UID.
* Placeholder values (``UNKNOWN``, ``ANONYMOUS``, ...) and values under 3 characters are
  never identifiers; nor is one the source itself uses inside its clinical or equipment
  text (a phantom with Patient ID ``brain`` and a study described ``Brain``): those are
  listed in :attr:`Identifiers.unchecked`, which the export names for review.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pydicom import dcmread
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.uid import UID_dictionary

from rtviewer.dicom.export.free_text import KEPT_TEXT_KEYWORDS
from rtviewer.model.patient_identity import PLACEHOLDERS

__all__ = ["Identifiers", "Leak", "collect_identifiers", "find_leaks", "shift_date"]

#: Keywords whose values identify the patient, the people or the place.
IDENTITY_KEYWORDS: frozenset[str] = frozenset({
    "PatientID", "OtherPatientIDs", "IssuerOfPatientID", "AccessionNumber",
    "InstitutionName", "InstitutionAddress", "InstitutionalDepartmentName",
    "StationName", "DeviceSerialNumber", "PatientAddress",
})
_PLACEHOLDERS = PLACEHOLDERS
# CS is left out: its values are defined terms ("OPERATOR"), not free text.
_TEXT_VRS = frozenset({"AE", "LO", "LT", "PN", "SH", "ST", "UT", "UC", "UR"})
#: Text the source itself uses for clinical or equipment meaning, kept on purpose: an
#: "identifier" equal to it (patient ID ``brain`` beside study description ``Brain``,
#: station name ``RayStation`` beside the model name) cannot be told from it.
_CLINICAL_KEYWORDS = frozenset({
    "Manufacturer", "ManufacturerModelName", "SoftwareVersions", "TreatmentMachineName",
    "RadiationMachineName", "PositionReferenceIndicator"})
#: Identifiers shorter than this (Patient ID ``1``) cannot be told from beam numbers.
_MIN_IDENTIFIER = 3
_RAW_VRS = frozenset({"UN", "OB"})
#: Below this length an identifier must match a whole value, not a substring.
_MIN_SUBSTRING = 4


@dataclass(frozen=True)
class Identifiers:
    """What the source files held that must not survive (upper case text)."""

    texts: frozenset[str]
    birth_dates: frozenset[str]
    uids: frozenset[str]
    dates: frozenset[str]
    shifted_dates: frozenset[str] = field(default=frozenset())
    unchecked: tuple[str, ...] = ()


@dataclass(frozen=True)
class Leak:
    """One exported element still holding an original identifying value.

    Parameters
    ----------
    path : Path
        The exported file.
    tag : str
        ``(gggg,eeee)`` of the element.
    where : str
        Its place, e.g. ``ReferencedRTPlanSequence[0].ReferencedSOPInstanceUID``.
    what : str
        Which identifier: ``patient name``, ``original UID``, ``original date``, ...
    value : str
        The value found.
    """

    path: Path
    tag: str
    where: str
    what: str
    value: str

    def message(self) -> str:
        """One line naming the file and the tag."""
        return f"{self.path}: {self.tag} {self.where} holds {self.what} {self.value!r}"


def _values(elem: DataElement) -> list[str]:
    value = elem.value
    if value is None:
        return []
    if isinstance(value, (list, tuple)) or type(value).__name__ == "MultiValue":
        return [str(v) for v in value if v not in (None, "")]
    return [str(value)] if str(value) else []


def _walk(ds: Dataset, prefix: str = "") -> Iterator[tuple[str, DataElement]]:
    for elem in ds:
        name = elem.keyword or f"({elem.tag.group:04X},{elem.tag.element:04X})"
        where = f"{prefix}{name}"
        if elem.VR == "SQ":
            for i, item in enumerate(elem.value or ()):
                yield from _walk(item, f"{where}[{i}].")
        else:
            yield where, elem


def shift_date(value: str, days: int) -> str | None:
    """A DA value (YYYYMMDD) moved by ``days``, or None when it is not a date."""
    try:
        day = datetime.datetime.strptime(value[:8], "%Y%m%d")
    except ValueError:
        return None
    return (day + datetime.timedelta(days=days)).strftime("%Y%m%d")


def _source_values(ds: Dataset) -> Iterator[tuple[str, str, str]]:
    """(kind, keyword, value) of everything identifying in one source dataset."""
    meta = list(ds.file_meta) if hasattr(ds, "file_meta") else []
    for elem in [*meta, *(elem for _, elem in _walk(ds))]:
        kind = _identity_kind(elem)
        if kind is not None:
            yield from ((kind, elem.keyword, v) for v in _values(elem))


def _identity_kind(elem: DataElement) -> str | None:
    if elem.keyword == "PatientBirthDate":
        return "birth"
    if elem.VR in ("DA", "DT"):
        return "date"
    if elem.VR == "UI":
        return "class" if elem.keyword.endswith("ClassUID") \
            or elem.keyword == "TransferSyntaxUID" else "uid"
    if elem.VR == "PN" or elem.keyword in IDENTITY_KEYWORDS:
        return "text"
    if elem.keyword in KEPT_TEXT_KEYWORDS or elem.keyword in _CLINICAL_KEYWORDS:
        return "clinical"
    return None


def _uid_like(value: str) -> bool:
    """An instance UID identifies; an invalid placeholder (``UNKNOWN``) does not."""
    text = value.strip("\x00 ")
    return len(text) >= _MIN_IDENTIFIER and any(c.isdigit() for c in text) \
        and text.upper() not in _PLACEHOLDERS


def _text_forms(value: str) -> set[str]:
    text = value.strip().upper()
    forms = {text, " ".join(p for p in text.replace("=", "^").split("^") if p)}
    return {f for f in forms if f.strip() not in _PLACEHOLDERS and len(f) >= _MIN_IDENTIFIER}


def collect_identifiers(sources: Iterable[Dataset],
                        shift_days: Iterable[int] = ()) -> Identifiers:
    """The identifiers of the source datasets.

    Parameters
    ----------
    sources : iterable of Dataset
        The source files, as read (headers suffice).
    shift_days : iterable of int
        The date shifts applied; an original date equal to a shifted one cannot be
        told apart from it and is not reported.
    """
    texts: set[str] = set()
    births: set[str] = set()
    uids: set[str] = set()
    dates: set[str] = set()
    kept: set[str] = set()
    clinical: set[str] = set()
    for ds in sources:
        for kind, _keyword, value in _source_values(ds):
            if kind == "text":
                texts |= _text_forms(value)
            elif kind == "uid" and value not in UID_dictionary and _uid_like(value):
                uids.add(value.strip("\x00 "))
            elif kind == "class":
                kept.add(value.strip("\x00 "))
            elif kind == "clinical":
                clinical.add(value.strip().upper())
            elif kind in ("date", "birth") and value[:8].isdigit():
                (births if kind == "birth" else dates).add(value[:8])
    shifts = tuple(shift_days)
    shifted = {s for d in dates for n in shifts if (s := shift_date(d, n))}
    # An implementation's UID is also written as Creator Version UID (remapped) but
    # stays in the file meta (not identifying): it is not an instance UID.
    unchecked = {t for t in texts if any(t in c for c in clinical)}
    return Identifiers(frozenset(texts - unchecked), frozenset(births),
                       frozenset(uids - kept), frozenset(dates | births), frozenset(shifted),
                       tuple(sorted(unchecked)))


def _text_hit(text: str, ids: Identifiers, whole_only: bool) -> str | None:
    upper = text.strip().upper()
    if upper in ids.texts:
        return "an original name or ID"
    if whole_only:
        return None
    for ident in ids.texts:
        if len(ident) >= _MIN_SUBSTRING and ident in upper:
            return "an original name or ID"
    for birth in ids.birth_dates:
        if birth and birth in upper:
            return "the original birth date"
    for token in upper.replace("\\", " ").replace("\x00", " ").split():
        if token in ids.uids:
            return "an original UID"
    return None


def _element_hit(elem: DataElement, value: str, ids: Identifiers) -> str | None:
    if elem.VR == "UI":
        return "an original UID" if value.strip("\x00 ") in ids.uids else None
    if elem.VR in ("DA", "DT"):
        day = value[:8]
        if day in ids.birth_dates:
            return "the original birth date"
        return "an original date" if day in ids.dates and day not in ids.shifted_dates \
            else None
    if elem.VR == "PN" or elem.keyword in IDENTITY_KEYWORDS:
        return _replaced_hit(value, ids)
    if elem.VR in _TEXT_VRS:
        return _text_hit(value, ids, whole_only=elem.keyword in KEPT_TEXT_KEYWORDS)
    return None


def _replaced_hit(value: str, ids: Identifiers) -> str | None:
    """Names and IDs the anonymiser replaces: only a whole original value is a leak.

    The replacements are drawn from lists of common names, so a made-up
    ``GOMEZ^PEDRO^TONIA`` may share a given name with an original ``^Pedro`` (seen once
    in four whole-corpus exports); a substring match would call that a leak.
    """
    if any(form in ids.texts for form in _text_forms(value)):
        return "an original name or ID"
    return None


def _raw_text(elem: DataElement) -> str | None:
    """A private or unknown-VR value read as text (names hide there as bytes)."""
    if elem.VR not in _RAW_VRS or not isinstance(elem.value, bytes) or len(elem.value) > 4096:
        return None
    return elem.value.decode("latin-1")


def _check(elem: DataElement, ids: Identifiers) -> tuple[str, str] | None:
    raw = _raw_text(elem)
    if raw is not None:
        hit = _text_hit(raw, ids, whole_only=False)
        return (hit, raw.strip("\x00 ")) if hit else None
    for value in _values(elem):
        hit = _element_hit(elem, value, ids)
        if hit:
            return hit, value
    return None


def find_leaks(path: Path, ids: Identifiers) -> list[Leak]:
    """Every element of an exported file that still holds an original identifier.

    Parameters
    ----------
    path : Path
        An exported file (read whole: identifiers hide after the pixels too).
    ids : Identifiers
        From :func:`collect_identifiers` on the source files.
    """
    ds = dcmread(path, force=True)
    meta = [(elem.keyword, elem) for elem in ds.file_meta]
    leaks = []
    for where, elem in [*meta, *_walk(ds)]:
        if elem.tag == 0x7FE00010:
            continue
        found = _check(elem, ids)
        if found:
            tag = f"({elem.tag.group:04X},{elem.tag.element:04X})"
            leaks.append(Leak(path, tag, where, found[0], found[1]))
    return leaks
