"""Contours of one ROI from an ROI Contour item, with findings for malformed data."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from pydicom.dataset import Dataset

from rtviewer.dicom.contour_values import ContourValues, contour_values
from rtviewer.model.findings import Finding, Severity
from rtviewer.model.structure import Contour, ContourType

__all__ = ["read_contours"]

#: points of a CLOSED_PLANAR contour further than this from their plane make it non-planar
PLANARITY_TOLERANCE_MM = 0.05


def read_contours(item: Dataset, roi_label: str) -> tuple[list[Contour], list[Finding]]:
    """The usable contours of one ROI Contour item.

    Parameters
    ----------
    item : Dataset
        An item of ROI Contour Sequence.
    roi_label : str
        ``"ROI 3 'PTV'"``, for messages.

    Returns
    -------
    contours : list of Contour
        In file order; malformed ones dropped or repaired.
    findings : list of Finding
        What was dropped or repaired, once per kind of problem.
    """
    contours: list[Contour] = []
    problems: dict[str, list[int]] = {}
    noted: dict[tuple[str, str | None], tuple[Finding, list[int]]] = {}
    findings: list[Finding] = []
    values = contour_values(item, findings)
    flat = _flat_enough(values)
    for index, contour in enumerate(values, start=1):
        result, codes = _read_one(contour, flat is not None and bool(flat[index - 1]))
        for code in codes:
            problems.setdefault(code, []).append(index)
        for f in contour.notes:
            if f.attribute != "ContourData":  # said by its own code above, once per ROI
                noted.setdefault((f.code, f.attribute), (f, []))[1].append(index)
        if result is not None:
            contours.append(result)
    findings += [_finding(code, indices, roi_label) for code, indices in problems.items()]
    findings += [_located(f, indices, roi_label) for f, indices in noted.values()]
    return contours, findings


def _located(finding: Finding, indices: list[int], roi_label: str) -> Finding:
    """A value finding of some contours, said once for the ROI with their numbers."""
    return Finding(finding.code, f"{roi_label}, contour {_numbers(indices)}: {finding.message}",
                   finding.severity, finding.attribute, finding.assumption)


def _numbers(indices: list[int]) -> str:
    """Contour numbers, the first six."""
    return ", ".join(str(i) for i in indices[:6]) + (", …" if len(indices) > 6 else "")


def _flat_enough(values: list[ContourValues]) -> NDArray[np.bool_] | None:
    """Which contours the planarity bound of :func:`_not_planar` clears, all at once.

    One reduction per ROI instead of three small numpy calls per contour (a tenth of
    reading the DVH benchmark's 1,554 contours).  Only when every contour has finite
    triplets; None otherwise (each contour is then checked on its own).  A repeated
    closing vertex changes neither the extent nor, the bound being taken with the
    point count after it is dropped, the outcome.
    """
    arrays = [v.data for v in values if v.data is not None]
    if not arrays or len(arrays) < len(values) or any(a.size == 0 or a.size % 3 for a in arrays):
        return None
    stacked = np.concatenate(arrays).reshape(-1, 3)
    if not np.all(np.isfinite(stacked)):
        return None
    counts = np.array([len(a) // 3 for a in arrays])
    starts = np.cumsum(counts) - counts
    closing = np.all(stacked[starts] == stacked[starts + counts - 1], axis=1) & (counts > 3)
    extent = np.maximum.reduceat(stacked, starts) - np.minimum.reduceat(stacked, starts)
    flattest = extent.min(axis=1)
    flat: NDArray[np.bool_] = flattest * np.sqrt(counts - closing) <= PLANARITY_TOLERANCE_MM
    return flat


def _read_one(item: ContourValues, flat_enough: bool = False) -> tuple[Contour | None, list[str]]:
    """One contour, or None, with the codes of its problems.

    ``flat_enough``: the planarity bound is already known to hold (:func:`_flat_enough`).
    """
    codes: list[str] = []
    values = item.data
    if values is None:
        return None, ["CONTOUR_DATA_NOT_NUMERIC" if item.data_present else "CONTOUR_DATA_EMPTY"]
    if values.size == 0:
        return None, ["CONTOUR_DATA_EMPTY"]
    if values.size % 3:
        codes.append("CONTOUR_DATA_NOT_TRIPLETS")
        values = values[: values.size // 3 * 3]
    points = values.reshape(-1, 3)
    if not np.all(np.isfinite(points)):
        return None, [*codes, "CONTOUR_DATA_NOT_FINITE"]
    declared = item.declared_points
    if declared is not None and declared != len(points):
        codes.append("CONTOUR_POINT_COUNT_MISMATCH")
    contour_type = _contour_type(item.geometric_type, len(points), codes)
    if contour_type is ContourType.CLOSED_PLANAR:
        if len(points) > 3 and np.array_equal(points[0], points[-1]):
            points = points[:-1]  # the standard's closing segment is implicit
        if len(points) < 3:
            codes.append("CLOSED_CONTOUR_TOO_FEW_POINTS")
        elif not flat_enough and _not_planar(points):
            codes.append("CLOSED_CONTOUR_NOT_PLANAR")
    return Contour(points, contour_type, item.image_uids), codes


def _contour_type(value: str | None, n_points: int, codes: list[str]) -> ContourType:
    """Contour Geometric Type, guessed from the point count when absent or unknown."""
    try:
        return ContourType((value or "").upper())
    except ValueError:
        codes.append("CONTOUR_TYPE_UNKNOWN")
        return ContourType.POINT if n_points == 1 else ContourType.CLOSED_PLANAR


def _not_planar(points: np.ndarray) -> bool:
    """Whether a point lies further than the tolerance from the points' best-fit plane.

    For contours drawn in a patient-axis plane (nearly all) a cheap bound settles it
    without the SVD: the least-squares plane's squared distances add up to at most
    those to a plane of constant coordinate, so each is at most ``sqrt(N)·ptp``.
    """
    flattest = float((points.max(axis=0) - points.min(axis=0)).min())  # np.ptp: slower
    if flattest * np.sqrt(len(points)) <= PLANARITY_TOLERANCE_MM:
        return False
    centred = points - points.mean(axis=0)
    # the smallest singular value's direction is the plane normal
    normal = np.linalg.svd(centred, full_matrices=False)[2][-1]
    return bool(np.max(np.abs(centred @ normal)) > PLANARITY_TOLERANCE_MM)


_MESSAGES = {
    "CONTOUR_DATA_NOT_NUMERIC": ("Contour Data is not numeric", "the contour is ignored"),
    "CONTOUR_DATA_EMPTY": ("a contour has no Contour Data", "the contour is ignored"),
    "CONTOUR_DATA_NOT_TRIPLETS": ("Contour Data's length is not a multiple of 3",
                                  "the trailing values are ignored"),
    "CONTOUR_DATA_NOT_FINITE": ("Contour Data holds NaN or infinite values",
                                "the contour is ignored"),
    "CONTOUR_POINT_COUNT_MISMATCH": ("Number of Contour Points differs from Contour Data",
                                     "the points in Contour Data are used"),
    "CONTOUR_TYPE_UNKNOWN": ("Contour Geometric Type is absent or unknown",
                             "POINT for one point, CLOSED_PLANAR otherwise"),
    "CLOSED_CONTOUR_TOO_FEW_POINTS": ("a CLOSED_PLANAR contour has fewer than 3 points",
                                      "it adds no area or volume"),
    "CLOSED_CONTOUR_NOT_PLANAR": ("a CLOSED_PLANAR contour is not planar",
                                  "it is used as drawn; its plane is its mean position"),
}


def _finding(code: str, indices: list[int], roi_label: str) -> Finding:
    """One finding for all contours of an ROI with the same problem."""
    what, assumption = _MESSAGES[code]
    where = _numbers(indices)
    severity = Severity.INFO if code == "CONTOUR_POINT_COUNT_MISMATCH" else Severity.WARNING
    return Finding(code, f"{roi_label}: {what} (contour {where}).", severity, "ContourData",
                   assumption)
