"""A plan with the objects a review needs: its structure set and the doses computed for it.

``rtviewer plan``, ``rtviewer points`` and ``rtviewer goals`` open a file or a folder;
this module finds the RT Plans there, the RT Structure Set each plan references (by
SOP Instance UID) and the RT Doses that reference the plan (whole-plan doses first),
reading only headers until it knows which files it needs.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

from rtviewer.dicom.dose import read_dose
from rtviewer.dicom.files import read_dataset
from rtviewer.dicom.plan import read_plan
from rtviewer.dicom.structure import read_structure_set
from rtviewer.errors import RtViewerError
from rtviewer.model.dose import Dose
from rtviewer.model.plan import Plan
from rtviewer.model.structure import StructureSet

__all__ = ["FileHeader", "PlanBundle", "headers_under", "load_bundle", "plan_bundles"]

_TAGS = ["Modality", "SOPInstanceUID", "DoseSummationType", "ReferencedRTPlanSequence"]
#: Doses that are a part of the delivery, not the whole plan: listed last.
PART_DOSES = frozenset({"BEAM", "BEAM_SESSION", "CONTROL_POINT", "FRACTION_SESSION"})


@dataclass(frozen=True)
class FileHeader:
    """What the search needs of one file: modality, UID, summation, referenced plans."""

    path: Path
    modality: str
    sop_instance_uid: str
    summation: str
    referenced_plan_uids: tuple[str, ...]


@dataclass(frozen=True)
class PlanBundle:
    """A plan, its structure set and doses (whole-plan doses first), and what is missing."""

    plan: Plan
    structure_set: StructureSet | None
    doses: tuple[Dose, ...]
    notes: tuple[str, ...]


def _header(path: Path) -> FileHeader | None:
    # pydicom's warnings on odd values (invalid UIDs) belong to the readers and
    # `rtviewer check`, which report them as findings; a header peek stays quiet.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ds, _ = read_dataset(path, stop_before_pixels=True, specific_tags=_TAGS)
        except (RtViewerError, OSError):
            return None
        plans = tuple(str(item.get("ReferencedSOPInstanceUID", ""))
                      for item in ds.get("ReferencedRTPlanSequence") or [])
        return FileHeader(path, str(ds.get("Modality", "")),
                          str(ds.get("SOPInstanceUID", "")),
                          str(ds.get("DoseSummationType", "")).upper(), plans)


def headers_under(path: Path) -> list[FileHeader]:
    """Headers of the DICOM files at ``path`` (a file, or a folder searched recursively)."""
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    return [h for h in (_header(p) for p in files) if h is not None]


def load_bundle(plan_path: Path, headers: list[FileHeader], *,
                with_doses: bool = True) -> PlanBundle:
    """Read the plan at ``plan_path`` and, among ``headers``, its structure set and doses.

    ``with_doses=False`` skips the doses (a plan sheet does not need their pixels).

    Raises
    ------
    RtViewerError
        The plan itself cannot be read (structure set and dose problems are notes).
    """
    plan = read_plan(plan_path)
    notes: list[str] = []
    structure_set = None
    wanted = plan.referenced_structure_set_uid
    match = [h for h in headers if h.modality == "RTSTRUCT" and h.sop_instance_uid == wanted]
    if wanted and match:
        try:
            structure_set = read_structure_set(match[0].path)
        except RtViewerError as exc:
            notes.append(f"{match[0].path}: {exc}")
    elif wanted:
        notes.append(f"the referenced RT Structure Set {wanted} is not among the files")
    else:
        notes.append("the plan references no RT Structure Set")
    doses: list[Dose] = []
    for h in [] if not with_doses else sorted((h for h in headers if h.modality == "RTDOSE"
                     and plan.sop_instance_uid in h.referenced_plan_uids),
                    key=lambda h: (h.summation in PART_DOSES, str(h.path))):
        try:
            doses.append(read_dose(h.path))
        except RtViewerError as exc:
            notes.append(f"{h.path}: {exc}")
    if with_doses and not doses:
        notes.append("no RT Dose among the files references this plan")
    return PlanBundle(plan, structure_set, tuple(doses), tuple(notes))


def plan_bundles(path: str | Path) -> tuple[list[Path], list[FileHeader]]:
    """The RT Plan files at ``path`` and the headers of every file beside them.

    A file: that file (when it is a plan) and its folder's headers; a folder: every plan
    under it.
    """
    path = Path(path)
    headers = headers_under(path.parent if path.is_file() else path)
    plans = [h.path for h in headers if h.modality == "RTPLAN"
             and (not path.is_file() or h.path.resolve() == path.resolve())]
    return plans, headers
