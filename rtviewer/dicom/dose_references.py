"""What an RT Dose refers to (plan, fraction group, beams, structure set) and its dose points."""

from __future__ import annotations

from dataclasses import dataclass

from pydicom.dataset import Dataset

from rtviewer.dicom.values import integer, items, number, numbers, text
from rtviewer.model.dose import DosePoint
from rtviewer.model.findings import Finding, Severity

__all__ = ["DoseReferences", "read_references", "read_dose_points"]


@dataclass(frozen=True)
class DoseReferences:
    """UIDs and numbers an RT Dose points at."""

    plan_uids: tuple[str, ...] = ()
    fraction_group_number: int | None = None
    beam_numbers: tuple[int, ...] = ()
    structure_set_uid: str | None = None

    @property
    def plan_uid(self) -> str | None:
        """The first referenced plan."""
        return self.plan_uids[0] if self.plan_uids else None


def read_references(ds: Dataset) -> tuple[DoseReferences, list[Finding]]:
    """Referenced RT Plan, Fraction Group, Beams and Structure Set.

    Parameters
    ----------
    ds : Dataset
        The RT Dose dataset.

    Returns
    -------
    references : DoseReferences
    findings : list of Finding
        A BEAM dose without a referenced beam, a dose without plan reference.
    """
    findings: list[Finding] = []
    plans = items(ds, "ReferencedRTPlanSequence", findings)
    plan_uids = tuple(u for u in (text(p, "ReferencedSOPInstanceUID", findings) for p in plans)
                      if u)
    fraction_group, beams = None, []
    for plan in plans:
        for group in items(plan, "ReferencedFractionGroupSequence", findings):
            if fraction_group is None:
                fraction_group = integer(group, "ReferencedFractionGroupNumber", findings)
            beams += [n for n in (integer(b, "ReferencedBeamNumber", findings)
                                  for b in items(group, "ReferencedBeamSequence", findings))
                      if n is not None]
    structure_sets = items(ds, "ReferencedStructureSetSequence", findings)
    structure_set_uid = (text(structure_sets[0], "ReferencedSOPInstanceUID", findings)
                         if structure_sets else None)
    summation = text(ds, "DoseSummationType", findings)
    if not plan_uids and summation not in (None, "MULTI_PLAN", "RECORD"):
        findings.append(Finding("NO_REFERENCED_PLAN", "The dose references no RT Plan.",
                                Severity.INFO, "ReferencedRTPlanSequence"))
    if summation == "BEAM" and not beams:
        findings.append(Finding("BEAM_DOSE_WITHOUT_BEAM", "A BEAM dose that names no beam.",
                                attribute="ReferencedBeamSequence"))
    return DoseReferences(plan_uids, fraction_group, tuple(beams), structure_set_uid), findings


def read_dose_points(ds: Dataset, notes: list[Finding]) -> tuple[DosePoint, ...]:
    """Dose points: POINT contours of an RT Dose's ROI Contour Sequence with their dose.

    Parameters
    ----------
    ds : Dataset
        The RT Dose dataset.
    notes : list of Finding
        Receives what an unusable value made the reader assume.

    Returns
    -------
    tuple of DosePoint
        Position in patient mm, Dose Value from RT Dose ROI Sequence when given.
    """
    names = {integer(r, "ROINumber", notes): text(r, "ROIName", notes) or ""
             for r in items(ds, "StructureSetROISequence", notes)}
    values = {integer(r, "ReferencedROINumber", notes): number(r, "DoseValue", notes)
              for r in items(ds, "RTDoseROISequence", notes)}
    points = []
    for roi in items(ds, "ROIContourSequence", notes):
        roi_number = integer(roi, "ReferencedROINumber", notes)
        for contour in items(roi, "ContourSequence", notes):
            data = numbers(contour, "ContourData", notes)
            if text(contour, "ContourGeometricType", notes) != "POINT" or not data or len(data) < 3:
                continue
            points.append(DosePoint((data[0], data[1], data[2]), values.get(roi_number),
                                    names.get(roi_number, "")))
    return tuple(points)
