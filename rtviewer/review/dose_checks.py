"""Dose checks: grid coverage, global maximum, prescription plausibility, SRS CI and GI."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.typing import NDArray

from rtviewer.core.grid import Grid
from rtviewer.core.rasterise import structure_mask
from rtviewer.core.slab_model import build_slab_model
from rtviewer.model.findings import Severity
from rtviewer.model.structure import Roi
from rtviewer.review.context import ReviewContext
from rtviewer.review.finding import PlanFinding
from rtviewer.review.geometry import roi_extent_mm
from rtviewer.review.names import is_bolus, is_couch

__all__ = ["check_dose", "volume_outside_grid_cc", "paddick_indices"]

_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO


def _xyz(p: NDArray[np.float64]) -> tuple[float, float, float]:
    q = np.asarray(p, dtype=float).reshape(3)
    return (float(q[0]), float(q[1]), float(q[2]))


def volume_outside_grid_cc(roi: Roi, grid: Grid) -> float | None:
    """Volume of the ROI (slab model) outside the dose grid's voxels, cc.

    The ROI is rasterised on the dose grid's own lattice extended to the ROI's bounding
    box, so inside and outside are counted on the same voxel centres (a voxel of the
    extended lattice is outside when its index lies beyond the dose grid's). Only the
    ROI's bounding-box crop is held in memory.
    """
    extent = roi_extent_mm(roi)
    model = build_slab_model(roi.closed_polygons_mm())
    if extent is None or model is None:
        return None
    lo_mm, hi_mm = extent
    corners = np.array([[x, y, z] for x in (lo_mm[0], hi_mm[0]) for y in (lo_mm[1], hi_mm[1])
                        for z in (lo_mm[2], hi_mm[2])])
    ijk = grid.patient_to_index(corners)
    size = np.array(grid.shape[::-1])
    lo = np.minimum(np.floor(ijk.min(axis=0)) - 1, 0).astype(int)
    hi = np.maximum(np.ceil(ijk.max(axis=0)) + 1, size - 1).astype(int)
    shape_ijk = hi - lo + 1
    affine = np.array(grid.affine)
    affine[:3, 3] = grid.index_to_patient(lo.astype(float)).reshape(3)
    padded = Grid(affine, (int(shape_ijk[2]), int(shape_ijk[1]), int(shape_ijk[0])))
    crop = structure_mask(model, padded)
    # the dose grid's voxels, in the crop's own index box (k, j, i)
    start = np.array(crop.offset_kji) + lo[::-1]  # dose-grid index of crop[0, 0, 0]
    first = np.clip(-start, 0, crop.mask.shape)
    last = np.clip(np.array(grid.shape) - start, 0, crop.mask.shape)
    inside = int(np.count_nonzero(crop.mask[first[0]:last[0], first[1]:last[1],
                                            first[2]:last[2]]))
    return float(crop.voxel_count() - inside) * grid.voxel_volume_mm3 / 1000.0


def check_dose(ctx: ReviewContext) -> Iterator[PlanFinding]:
    """Every check that needs the PLAN dose."""
    if ctx.case.dose is None:
        return
    yield from _coverage(ctx)
    yield from _hot_spot(ctx)
    yield from _plausible(ctx)
    yield from _srs(ctx)


def _coverage(ctx: ReviewContext) -> Iterator[PlanFinding]:
    """Volume outside the dose grid of every target (error) and organ, per structure (cc).

    With a goal set, the organs its goals name are warnings and the other structures
    information (their DVH is not judged); without one every organ is a warning. The
    BODY, couch and bolus extend beyond a dose grid by design.
    """
    grid = ctx.case.dose.grid if ctx.case.dose else None
    if grid is None:
        return
    tolerance = ctx.profile.number("dose_grid", "outside_tolerance_cc")
    couch = ctx.profile.value("structures", "couch_prefixes")
    goal_names = ctx.goal_roi_names
    for roi in ctx.rois:
        target = roi in ctx.targets
        if not target and (roi is ctx.body or is_couch(roi, couch) or is_bolus(roi)
                           or not roi.closed_polygons_mm()):
            continue
        outside = volume_outside_grid_cc(roi, grid)
        if outside is None or outside <= tolerance:
            continue
        in_goals = goal_names is None or roi.name in goal_names
        severity = _E if target else _W if in_goals else _I
        kind = ("target" if target else "goal structure" if goal_names is not None and in_goals
                else "structure")
        extent = roi_extent_mm(roi)
        total = roi.volume_cc
        share = f" ({100 * outside / total:.0f} % of {total:.2f} cc)" if total else ""
        yield PlanFinding("DOSE_GRID_COVERAGE", severity,
                          f"{outside:.2f} cc of {kind} {roi.name!r}{share} lie outside the dose "
                          "grid: its DVH misses them.", (f"ROI:{roi.name}", "DOSE"),
                          {"outside_cc": outside} | ({"volume_cc": total} if total else {}),
                          _xyz((extent[0] + extent[1]) / 2) if extent else None)


def _hot_spot(ctx: ReviewContext) -> Iterator[PlanFinding]:
    dose = ctx.case.dose
    if dose is None or not ctx.targets:
        return
    k, j, i = np.unravel_index(int(np.argmax(dose.dose_gy)), dose.dose_gy.shape)
    dmax = float(dose.dose_gy[k, j, i])
    where = dose.grid.index_to_patient([i, j, k]).reshape(3)
    best = np.inf
    for target in ctx.targets:
        mask = ctx.mask(target)
        if mask is None or not mask.any():
            continue
        if mask[k, j, i]:
            return
        kji = np.argwhere(mask)
        points = dose.grid.index_to_patient(kji[:, ::-1].astype(float))
        best = min(best, float(np.min(np.linalg.norm(points - where, axis=1))))
    if not np.isfinite(best) or best <= ctx.profile.number("hot_spot", "margin_mm"):
        return
    inside = [r.name for r in ctx.rois if r not in ctx.targets and r is not ctx.body
              and (m := ctx.mask(r)) is not None and m[k, j, i]]
    place = f" in {', '.join(repr(n) for n in inside)}" if inside else ""
    yield PlanFinding("HOTSPOT_OUTSIDE_TARGET", _W,
                      f"The global maximum {dmax:.2f} Gy lies {best:.1f} mm outside every "
                      f"target{place}, at ({', '.join(f'{v:.1f}' for v in where)}) mm.",
                      ("DOSE",) + tuple(f"ROI:{n}" for n in inside),
                      {"dose_max_gy": dmax, "distance_mm": best}, _xyz(where))


def _plausible(ctx: ReviewContext) -> Iterator[PlanFinding]:
    rx, dose = ctx.prescription_gy, ctx.case.dose
    if rx is None or dose is None:
        return
    dmax = float(dose.dose_gy.max())
    low = ctx.profile.number("prescription", "dose_max_min_fraction")
    key = "dose_max_max_fraction_srs" if ctx.is_srs else "dose_max_max_fraction"
    high = ctx.profile.number("prescription", key)
    ratio = dmax / rx
    if not low <= ratio <= high:
        yield PlanFinding("RX_DOSE_MAX", _W,
                          f"The PLAN dose maximum {dmax:.2f} Gy is {100 * ratio:.0f} % of the "
                          f"prescription {rx:.2f} Gy "
                          f"(expected {100 * low:.0f}–{100 * high:.0f} %).",
                          ("PLAN", "DOSE"), {"dose_max_gy": dmax, "prescription_gy": rx,
                                              "ratio": ratio})
    medians = [(float(np.median(dose.dose_gy[m])), t) for t in ctx.targets
               if (m := ctx.mask(t)) is not None and m.any()]
    if not medians:
        return
    median, target = max(medians, key=lambda mt: mt[0])
    low = ctx.profile.number("prescription", "target_median_min_fraction")
    high = ctx.profile.number("prescription", "target_median_max_fraction_srs" if ctx.is_srs
                              else "target_median_max_fraction")
    if not low * rx <= median <= high * rx:
        yield PlanFinding("RX_TARGET_DOSE", _W,
                          f"The highest target median dose ({target.name!r}, {median:.2f} Gy) is "
                          f"{100 * median / rx:.0f} % of the prescription {rx:.2f} Gy "
                          f"(expected {100 * low:.0f}–{100 * high:.0f} %).",
                          ("PLAN", f"ROI:{target.name}"),
                          {"target_median_gy": median, "prescription_gy": rx})


def paddick_indices(dose_gy: NDArray[np.floating], target: NDArray[np.bool_], rx_gy: float
                    ) -> tuple[float, float]:
    """Paddick conformity index and gradient index of one target, on its own isodose islands.

    PIV and V50 are the connected regions of ``dose >= rx`` and ``dose >= rx/2`` that
    touch the target, so other targets' isodoses (multi-target SRS) are not counted.
    Voxel counting on the dose grid.

    Returns
    -------
    ci : float
        ``TV_PIV² / (TV · PIV)`` (Paddick 2000); 0 when no voxel reaches ``rx``.
    gi : float
        ``V(rx/2) / V(rx)`` (Paddick and Lippitz 2006); inf when PIV is empty.
    """
    piv = _islands(dose_gy >= rx_gy, target)
    v50 = _islands(dose_gy >= rx_gy / 2.0, target)
    tv, n_piv = int(target.sum()), int(piv.sum())
    if tv == 0 or n_piv == 0:
        return 0.0, float("inf")
    tv_piv = int((target & piv).sum())
    return tv_piv * tv_piv / (tv * n_piv), int(v50.sum()) / n_piv


def _islands(region: NDArray[np.bool_], seed: NDArray[np.bool_]) -> NDArray[np.bool_]:
    from scipy import ndimage  # here: the window imports this module at start-up

    labels, _ = ndimage.label(region)
    touched = np.unique(labels[seed & region])
    result: NDArray[np.bool_] = np.isin(labels, touched[touched > 0])
    return result


def _srs(ctx: ReviewContext) -> Iterator[PlanFinding]:
    rx, dose = ctx.prescription_gy, ctx.case.dose
    if not ctx.is_srs or rx is None or dose is None:
        return
    ci_min = ctx.profile.number("srs", "paddick_ci_min")
    gi_max = ctx.profile.number("srs", "gradient_index_max")
    for target in ctx.targets:
        mask = ctx.mask(target)
        if mask is None or not mask.any() or np.median(dose.dose_gy[mask]) < 0.9 * rx:
            continue  # a target prescribed another dose (or a help structure)
        ci, gi = paddick_indices(dose.dose_gy, mask, rx)
        values = {"paddick_ci": ci, "gradient_index": gi, "prescription_gy": rx}
        if ci < ci_min:
            yield PlanFinding("SRS_CONFORMITY", _W,
                              f"Paddick conformity index of {target.name!r} at {rx:.2f} Gy is "
                              f"{ci:.2f} (limit ≥ {ci_min:g}).", (f"ROI:{target.name}",), values)
        if gi > gi_max:
            yield PlanFinding("SRS_GRADIENT", _W,
                              f"Gradient index of {target.name!r} (V{rx / 2:.2f} Gy / "
                              f"V{rx:.2f} Gy) is {gi:.2f} (limit ≤ {gi_max:g}).",
                              (f"ROI:{target.name}",), values)
