"""Who a file belongs to: the Patient Module's identifying attributes, header only.

Read once per load for the window's patient banner (a few hundred bytes of the
file; pixel data and sequences after the patient module are never parsed).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["PatientHeader", "read_patient_header"]

_TAGS = ["PatientName", "PatientID", "PatientBirthDate", "PatientSex"]


@dataclass(frozen=True)
class PatientHeader:
    """Who a file belongs to; empty strings where the file does not say.

    Patient Name (0010,0010) as stored (PN, ``^``-separated), Patient ID (0010,0020),
    Patient's Birth Date (0010,0030, ``YYYY-MM-DD`` when stored as a DA), Sex (0010,0040).
    """

    name: str
    patient_id: str
    birth_date: str
    sex: str


def _iso_date(value: str) -> str:
    """``"19600131"`` -> ``"1960-01-31"``; anything else as stored."""
    if len(value) == 8 and value.isdigit():
        return f"{value[:4]}-{value[4:6]}-{value[6:]}"
    return value


def read_patient_header(path: Path) -> PatientHeader:
    """Read ``path``'s patient attributes; all empty when the file cannot be read."""
    # pydicom here, not at the top: the window unpickles headers read by its start-up
    # loader without importing pydicom (0.2 s) before its first image
    import pydicom
    from pydicom.errors import InvalidDicomError

    try:
        ds = pydicom.dcmread(path, stop_before_pixels=True, specific_tags=_TAGS, force=True)
    except (OSError, ValueError, InvalidDicomError):
        return PatientHeader("", "", "", "")
    return PatientHeader(str(ds.get("PatientName", "") or ""),
                         str(ds.get("PatientID", "") or ""),
                         _iso_date(str(ds.get("PatientBirthDate", "") or "")),
                         str(ds.get("PatientSex", "") or ""))
