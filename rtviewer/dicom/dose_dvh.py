"""Embedded DVHs of an RT Dose (DVH Sequence), kept in their declared units and checked.

The curve is never rescaled. Its declared statistics (DVH Minimum/Mean/Maximum
Dose) are compared with the curve itself and with the dose grid; planning
systems have been seen writing them in percent of the prescription while
declaring Gy (dicompyler-core's sample), and a finding says so.
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
from numpy.typing import NDArray
from pydicom.dataset import Dataset

from rtviewer.dicom.values import integer, items, number, numbers, text
from rtviewer.model.dose import DoseType, DoseUnits, DvhType, EmbeddedDvh
from rtviewer.model.findings import Finding

__all__ = ["read_embedded_dvhs"]

E = TypeVar("E", DvhType, DoseUnits, DoseType)


def read_embedded_dvhs(ds: Dataset, grid_max: float, grid_units: DoseUnits
                       ) -> tuple[tuple[EmbeddedDvh, ...], list[Finding]]:
    """Every item of DVH Sequence as an :class:`EmbeddedDvh`.

    Parameters
    ----------
    ds : Dataset
        The RT Dose dataset.
    grid_max : float
        Maximum of the dose grid in ``grid_units`` (for the plausibility check).
    grid_units : DoseUnits
        Units of the dose grid.

    Returns
    -------
    dvhs : tuple of EmbeddedDvh
        The readable DVHs.
    findings : list of Finding
        Items that could not be read (the dose's own findings).
    """
    dvhs: list[EmbeddedDvh] = []
    findings: list[Finding] = []
    for index, item in enumerate(items(ds, "DVHSequence", findings), start=1):
        dvh = _read_item(item, grid_max, grid_units)
        if dvh is None:
            findings.append(Finding("DVH_UNREADABLE", f"DVH item {index} has no usable DVH Data "
                                    "or DVH Type and was skipped.", attribute="DVHData"))
        else:
            dvhs.append(dvh)
    inconsistent = [d for d in dvhs if d.findings]
    if inconsistent:
        codes = sorted({f.code for d in inconsistent for f in d.findings})
        findings.append(Finding(
            "EMBEDDED_DVH_INCONSISTENT", f"{len(inconsistent)} of {len(dvhs)} embedded DVHs "
            f"have statistics that disagree with their curve or the grid ({', '.join(codes)}).",
            attribute="DVHSequence",
            assumption="curves are used as stored, never rescaled"))
    return tuple(dvhs), findings


def _read_item(item: Dataset, grid_max: float, grid_units: DoseUnits) -> EmbeddedDvh | None:
    """One DVH item, or None when unusable."""
    notes: list[Finding] = []
    data = numbers(item, "DVHData", notes)
    dvh_type = _enum(DvhType, text(item, "DVHType", notes))
    if data is None or len(data) < 2 or dvh_type is None:
        return None
    pairs = np.asarray(data[: len(data) // 2 * 2], dtype=np.float64).reshape(-1, 2)
    # Type 1; absent means no scaling, but 0, a negative or a text value is reported.
    scaling = number(item, "DVHDoseScaling", notes, default=1.0, several="unusable",
                            label="DVH Dose Scaling", positive=True)
    units = _enum(DoseUnits, text(item, "DoseUnits", notes)) or grid_units
    roi_numbers = tuple(n for n in (integer(r, "ReferencedROINumber", notes)
                                    for r in items(item, "DVHReferencedROISequence", notes))
                        if n is not None)
    widths, volumes = pairs[:, 0] * scaling, pairs[:, 1]
    declared = {"minimum": number(item, "DVHMinimumDose", notes),
                "maximum": number(item, "DVHMaximumDose", notes),
                "mean": number(item, "DVHMeanDose", notes)}
    findings = notes + _check(dvh_type, widths, volumes, declared, units, grid_max,
                                         grid_units)
    n_bins = integer(item, "DVHNumberOfBins", notes)
    if n_bins is not None and n_bins != len(widths):
        findings.append(Finding("DVH_BIN_COUNT", f"DVH Number of Bins says {n_bins} but DVH "
                                f"Data holds {len(widths)}.", attribute="DVHNumberOfBins"))
    return EmbeddedDvh(roi_numbers, dvh_type, units, _enum(DoseType, text(item, "DoseType", notes)),
                       text(item, "DVHVolumeUnits", notes) or "", widths, volumes,
                       declared["minimum"], declared["maximum"], declared["mean"],
                       tuple(findings))


def _enum(kind: type[E], value: str | None) -> E | None:
    """Enum member for a coded string, None when absent or unknown."""
    try:
        return kind(value.upper()) if value else None
    except ValueError:
        return None


def _curve_statistics(dvh_type: DvhType, widths: NDArray[np.float64],
                      volumes: NDArray[np.float64]) -> dict[str, float] | None:
    """Minimum, maximum and mean dose implied by the curve itself."""
    upper = np.cumsum(widths)
    lower = upper - widths
    if dvh_type is DvhType.CUMULATIVE:
        per_bin = -np.diff(np.append(volumes, 0.0))
    else:
        per_bin = volumes.copy()
    per_bin = np.clip(per_bin, 0.0, None)
    total = float(per_bin.sum())
    occupied = np.nonzero(per_bin > total * 1e-9)[0]
    if total <= 0 or occupied.size == 0:
        return None
    centres = (lower + upper) / 2
    return {"minimum": float(lower[occupied[0]]), "maximum": float(upper[occupied[-1]]),
            "mean": float(np.sum(per_bin * centres) / total),
            "tolerance": float(max(2 * np.max(widths[occupied]), 0.0))}


def _check(dvh_type: DvhType, widths: NDArray[np.float64], volumes: NDArray[np.float64],
           declared: dict[str, float | None], units: DoseUnits, grid_max: float,
           grid_units: DoseUnits) -> list[Finding]:
    """Findings when declared statistics disagree with the curve or the grid."""
    curve = _curve_statistics(dvh_type, widths, volumes)
    findings = []
    maximum = declared["maximum"]
    if units is grid_units and maximum is not None and maximum > grid_max * 1.02 + 1e-6:
        findings.append(Finding(
            "DVH_STATISTICS_EXCEED_GRID", f"DVH Maximum Dose {maximum:.4g} {units.value} "
            f"exceeds the dose grid's maximum {grid_max:.4g}.", attribute="DVHMaximumDose"))
    if curve is not None:
        wrong = []
        for name in ("minimum", "maximum", "mean"):
            value = declared[name]
            tolerance = max(curve["tolerance"], 0.02 * curve["maximum"])
            if value is not None and abs(value - curve[name]) > tolerance:
                wrong.append(f"{name} {value:.4g} vs {curve[name]:.4g}")
        if wrong:
            ratio = (declared["maximum"] or 0.0) / curve["maximum"] if curve["maximum"] else 0
            hint = (f" The declared values are about {ratio:.3g} × the curve's: they look like "
                    f"percent of a {100 / ratio:.3g} {units.value} reference."
                    if ratio > 1.5 else "")
            findings.append(Finding(
                "DVH_STATISTICS_DISAGREE_WITH_CURVE",
                f"DVH Minimum/Maximum/Mean Dose disagree with the DVH's own curve "
                f"({'; '.join(wrong)} {units.value}).{hint}", attribute="DVHMaximumDose",
                assumption="the curve is used as stored; the declared statistics are shown "
                           "as stored"))
        if units is grid_units and curve["maximum"] > grid_max * 1.02 + curve["tolerance"]:
            findings.append(Finding(
                "DVH_CURVE_EXCEEDS_GRID", f"The DVH curve reaches {curve['maximum']:.4g} "
                f"{units.value}, above the dose grid's maximum {grid_max:.4g}.",
                attribute="DVHData"))
    return findings
