"""What an RT Dose refers to (plan, fraction group, beams, structure set) and its dose points."""

from __future__ import annotations

from dataclasses import dataclass

from pydicom.dataset import Dataset

from rtviewer.dicom.element_values import get_float, get_floats, get_int, get_str, sequence
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
    plans = sequence(ds, "ReferencedRTPlanSequence")
    plan_uids = tuple(u for u in (get_str(p, "ReferencedSOPInstanceUID") for p in plans) if u)
    fraction_group, beams = None, []
    for plan in plans:
        for group in sequence(plan, "ReferencedFractionGroupSequence"):
            if fraction_group is None:
                fraction_group = get_int(group, "ReferencedFractionGroupNumber")
            beams += [n for n in (get_int(b, "ReferencedBeamNumber")
                                  for b in sequence(group, "ReferencedBeamSequence"))
                      if n is not None]
    structure_sets = sequence(ds, "ReferencedStructureSetSequence")
    structure_set_uid = (get_str(structure_sets[0], "ReferencedSOPInstanceUID")
                         if structure_sets else None)
    findings = []
    summation = get_str(ds, "DoseSummationType")
    if not plan_uids and summation not in (None, "MULTI_PLAN", "RECORD"):
        findings.append(Finding("NO_REFERENCED_PLAN", "The dose references no RT Plan.",
                                Severity.INFO, "ReferencedRTPlanSequence"))
    if summation == "BEAM" and not beams:
        findings.append(Finding("BEAM_DOSE_WITHOUT_BEAM", "A BEAM dose that names no beam.",
                                attribute="ReferencedBeamSequence"))
    return DoseReferences(plan_uids, fraction_group, tuple(beams), structure_set_uid), findings


def read_dose_points(ds: Dataset) -> tuple[DosePoint, ...]:
    """Dose points: POINT contours of an RT Dose's ROI Contour Sequence with their dose.

    Parameters
    ----------
    ds : Dataset
        The RT Dose dataset.

    Returns
    -------
    tuple of DosePoint
        Position in patient mm, Dose Value from RT Dose ROI Sequence when given.
    """
    names = {get_int(r, "ROINumber"): get_str(r, "ROIName") or ""
             for r in sequence(ds, "StructureSetROISequence")}
    values = {get_int(r, "ReferencedROINumber"): get_float(r, "DoseValue")
              for r in sequence(ds, "RTDoseROISequence")}
    points = []
    for roi in sequence(ds, "ROIContourSequence"):
        number = get_int(roi, "ReferencedROINumber")
        for contour in sequence(roi, "ContourSequence"):
            data = get_floats(contour, "ContourData")
            if get_str(contour, "ContourGeometricType") != "POINT" or not data or len(data) < 3:
                continue
            points.append(DosePoint((data[0], data[1], data[2]), values.get(number),
                                    names.get(number, "")))
    return tuple(points)
