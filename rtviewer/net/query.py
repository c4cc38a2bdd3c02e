"""C-FIND at patient, study and series level (the "PACS" query of rtviewer)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pynetdicom import build_context

from rtviewer.config import Node
from rtviewer.net.scu import NetworkError, associate
from rtviewer.net.tables import COMMAND_SYNTAXES, QR_FIND_MODELS

__all__ = ["LEVELS", "QueryFilters", "QueryResult", "find", "RETURN_KEYS"]

LEVELS: tuple[str, ...] = ("PATIENT", "STUDY", "SERIES")

#: Attributes asked for (returned empty = universal matching) at each level.
RETURN_KEYS: dict[str, tuple[str, ...]] = {
    "PATIENT": ("PatientID", "PatientName", "PatientBirthDate", "PatientSex",
                "NumberOfPatientRelatedStudies"),
    "STUDY": ("PatientID", "PatientName", "StudyInstanceUID", "StudyDate", "StudyTime",
              "StudyDescription", "AccessionNumber", "StudyID", "ModalitiesInStudy",
              "NumberOfStudyRelatedSeries", "NumberOfStudyRelatedInstances"),
    "SERIES": ("StudyInstanceUID", "SeriesInstanceUID", "Modality", "SeriesNumber",
               "SeriesDescription", "SeriesDate", "NumberOfSeriesRelatedInstances"),
}
_DATE = re.compile(r"^\d{8}$")


@dataclass(frozen=True)
class QueryFilters:
    """What to match; empty fields match everything.

    Parameters
    ----------
    patient_id, patient_name : str or None
        ``*`` and ``?`` are wildcards (DICOM matching).
    date_from, date_to : str or None
        Study Date range ``YYYYMMDD``, inclusive; either end may be open.
    modality : str or None
        E.g. ``CT``, ``RTPLAN``, ``RTDOSE``, ``RTSTRUCT`` (Modalities in Study at study
        level, Modality at series level).
    study_uid : str or None
        Restrict to one study (needed by most archives at series level).
    """

    patient_id: str | None = None
    patient_name: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    modality: str | None = None
    study_uid: str | None = None


@dataclass(frozen=True)
class QueryResult:
    """Matches of one C-FIND: one dict (keyword -> text) per match."""

    level: str
    rows: tuple[dict[str, str], ...]
    cancelled: bool = False
    warnings: tuple[str, ...] = field(default=())


def identifier(level: str, filters: QueryFilters) -> Dataset:
    """The C-FIND identifier for ``level`` with ``filters``.

    Raises
    ------
    ValueError
        Unknown level or a date that is not ``YYYYMMDD``.
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    ds = Dataset()
    ds.QueryRetrieveLevel = level
    for keyword in RETURN_KEYS[level]:
        setattr(ds, keyword, "")
    if level != "SERIES":
        ds.PatientID = filters.patient_id or ""
        ds.PatientName = filters.patient_name or ""
    if level == "STUDY":
        ds.StudyDate = _date_range(filters.date_from, filters.date_to)
        ds.ModalitiesInStudy = filters.modality or ""
    if level == "SERIES":
        ds.Modality = filters.modality or ""
    if filters.study_uid and level != "PATIENT":
        ds.StudyInstanceUID = filters.study_uid
    return ds


def _date_range(start: str | None, end: str | None) -> str:
    for value in (start, end):
        if value and not _DATE.match(value):
            raise ValueError(f"dates are YYYYMMDD, not {value!r}")
    if not start and not end:
        return ""
    if start == end:
        return str(start)
    return f"{start or ''}-{end or ''}"


def find(node: Node, level: str, filters: QueryFilters, local_aet: str,
         cancel: Callable[[], bool] | None = None,
         on_match: Callable[[dict[str, str]], None] | None = None) -> QueryResult:
    """Query ``node`` with C-FIND.

    Patient level uses the Patient Root model, study and series level the Study Root.

    Raises
    ------
    NetworkError
        No association, or the node answered with a failure status.
    """
    query = identifier(level, filters)
    model = QR_FIND_MODELS[0] if level == "PATIENT" else QR_FIND_MODELS[1]
    rows: list[dict[str, str]] = []
    with associate(node, local_aet, [build_context(model, list(COMMAND_SYNTAXES))],
                   service="Query/Retrieve (C-FIND)") as assoc:
        for status, match in assoc.send_c_find(query, model):
            if cancel is not None and cancel():
                assoc.abort()
                return QueryResult(level, tuple(rows), cancelled=True)
            if not status:
                raise NetworkError(f"{node.name}: no C-FIND response (timeout or abort)")
            code = int(status.Status)
            if code in (0xFF00, 0xFF01) and match is not None:
                row = _row(match, level)
                rows.append(row)
                if on_match is not None:
                    on_match(row)
            elif code != 0x0000:
                raise NetworkError(f"{node.name}: C-FIND failed with status 0x{code:04X}")
    return QueryResult(level, tuple(rows))


def _row(match: Dataset, level: str) -> dict[str, str]:
    row: dict[str, str] = {}
    for keyword in RETURN_KEYS[level]:
        value = match.get(keyword)
        if value is None:
            row[keyword] = ""
        elif isinstance(value, (list, tuple, MultiValue)):
            row[keyword] = "\\".join(str(v) for v in value)
        else:
            row[keyword] = str(value)
    return row
