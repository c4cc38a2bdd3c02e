"""Dose against plan and structures: plausible maximum, DVH statistics units, coverage.

Thresholds are deliberately wide: these checks catch a wrong label or a unit
slip (a factor of 10 or 100), not a clinical hot spot.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rtviewer.dicom.check.collector import Collector
from rtviewer.dicom.check.objects import ObjectStore
from rtviewer.model.dose import Dose, DoseSummationType, DoseUnits, EmbeddedDvh
from rtviewer.model.dose_reference import (
    MAX_FRACTION_PEAK_GY,
    PLAUSIBLE_PEAK_TO_PRESCRIPTION,
    peak_warning,
)
from rtviewer.model.findings import Finding, Severity
from rtviewer.model.index import Instance
from rtviewer.model.kind import Kind

__all__ = ["check_doses", "PLAUSIBLE_PEAK_TO_PRESCRIPTION", "MAX_FRACTION_PEAK_GY"]

_DVH_CODES = ("DVH_STATISTICS_DISAGREE_WITH_CURVE", "DVH_STATISTICS_EXCEED_GRID",
              "EMBEDDED_DVH_INCONSISTENT")


def check_doses(store: ObjectStore, out: Collector) -> None:
    """Run the dose checks on every RT Dose of the scan."""
    for path, inst in store.instances.items():
        if inst.kind != Kind.DOSE:
            continue
        dose = store.get(path)
        if not isinstance(dose, Dose):
            continue
        plan = store.get(_ref_path(inst, "rtplan"))
        _check_peak(dose, plan, inst, out)
        _check_dvh_units(dose, plan, inst, out)
        structures = store.get(_ref_path(inst, "rtstruct"))
        if structures is None and plan is not None:
            plan_inst = store.instances.get(_ref_path(inst, "rtplan"))
            structures = store.get(_ref_path(plan_inst, "rtstruct")) if plan_inst else None
        if structures is not None:
            _check_target_coverage(dose, structures, plan, inst, out)


def _ref_path(inst: Instance, kind: str) -> Any:
    return next((r.path for r in inst.references if r.kind == kind and r.resolved), None)


def _check_peak(dose: Dose, plan: Any, inst: Instance, out: Collector) -> None:
    if dose.units is not DoseUnits.GY or dose.summation_type not in (
            DoseSummationType.PLAN, DoseSummationType.FRACTION):
        return  # relative, per-beam or summed doses have no single expected peak
    if plan is not None and getattr(plan, "brachy", None) is not None:
        return  # brachytherapy doses near a source are unbounded: no expected peak
    peak = float(np.max(dose.dose_gy)) if dose.dose_gy.size else 0.0
    fractions = getattr(plan, "fractions_planned", None) if plan is not None else None
    rx = getattr(getattr(plan, "prescription", None), "dose_gy", None)
    message = peak_warning(peak, dose.summation_type, rx, fractions)
    if message:
        out.add(Finding("MAX_DOSE_IMPLAUSIBLE", message, Severity.WARNING,
                        "DoseSummationType",
                        "the dose is shown as stored; check its summation type and units"),
                inst.path, inst.sop_instance_uid)


def _curve_maximum(dvh: EmbeddedDvh) -> float | None:
    volumes = np.asarray(dvh.volumes, dtype=np.float64)
    per_bin = -np.diff(np.append(volumes, 0.0)) if dvh.dvh_type.value == "CUMULATIVE" \
        else volumes
    occupied = np.nonzero(per_bin > max(float(per_bin.sum()), 0.0) * 1e-9)[0]
    if occupied.size == 0:
        return None
    return float(dvh.bin_upper_edges[occupied[-1]])


def _check_dvh_units(dose: Dose, plan: Any, inst: Instance, out: Collector) -> None:
    ratios = []
    for dvh in dose.dvhs:
        curve_max = _curve_maximum(dvh)
        if dvh.maximum_dose is not None and curve_max:
            ratios.append(dvh.maximum_dose / curve_max)
    if len(ratios) < 1:
        return
    median = float(np.median(ratios))
    consistent = sum(abs(r / median - 1) < 0.05 for r in ratios)
    if median < 1.5 or consistent < max(1, len(ratios) // 2 + 1):
        return
    reference_gy = 100.0 / median
    rx = getattr(getattr(plan, "prescription", None), "dose_gy", None)
    if rx and abs(reference_gy / rx - 1) < 0.05:
        basis = f"the plan's {rx:g} Gy prescription"
    else:
        basis = f"a {reference_gy:.3g} Gy reference"
    out.suppress(inst.path, _DVH_CODES)  # this finding explains those
    out.add(Finding(
        "DVH_STATISTICS_UNITS",
        f"In {consistent} of {len(ratios)} embedded DVHs, DVH Minimum/Mean/Maximum Dose are "
        f"about {median:.3g} × the curve's values: they are percent of {basis}, although "
        f"the DVH's Dose Units say {dose.dvhs[0].dose_units.value}.",
        Severity.ERROR, "DVHMaximumDose",
        "the DVH curves are used as stored (in Gy); the stored statistics are not used"),
        inst.path, inst.sop_instance_uid)


def _target_rois(structures: Any, plan: Any) -> list[Any]:
    numbers = {ref.referenced_roi_number for ref in getattr(plan, "dose_references", ())
               if getattr(getattr(ref, "reference_type", None), "value", None) == "TARGET"}
    return [roi for roi in structures.rois
            if (roi.interpreted_type or "").upper() in ("PTV", "CTV", "GTV")
            or roi.roi_number in numbers]


def _check_target_coverage(dose: Dose, structures: Any, plan: Any, inst: Instance,
                           out: Collector) -> None:
    dose_frame = dose.grid.frame_of_reference_uid
    if dose_frame and structures.frame_of_reference_uid and \
            dose_frame != structures.frame_of_reference_uid:
        return  # reported as a Frame of Reference mismatch
    for roi in _target_rois(structures, plan):
        polygons = roi.closed_polygons_mm()
        if not polygons:
            continue
        points = np.concatenate(polygons, axis=0)
        inside = dose.grid.contains(points, margin_voxels=0.5)
        outside = int(np.count_nonzero(~inside))
        if outside:
            out.add(Finding(
                "DOSE_GRID_MISSES_TARGET",
                f"Target ROI {roi.roi_number} '{roi.name}': {outside} of {len(points)} contour "
                f"points ({100 * outside / len(points):.1f} %) lie outside the dose grid.",
                Severity.WARNING, "GridFrameOffsetVector",
                "dose outside the grid is unknown; DVHs of this ROI cover only its part "
                "inside the grid"), inst.path, inst.sop_instance_uid)
