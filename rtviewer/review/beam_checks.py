"""Beam checks (MPPG 11.a Table 8): names, MU, field size, jaws and MLC, machine, bolus."""

from __future__ import annotations

import re
from collections.abc import Iterator

import numpy as np

from rtviewer.model.beam import Beam, RadiationType
from rtviewer.model.findings import Severity
from rtviewer.review.beam_geometry import jaw_sizes_mm, open_area_mm2, positions_by_cp
from rtviewer.review.context import ReviewContext
from rtviewer.review.finding import PlanFinding
from rtviewer.review.leaf_checks import closed_pairs_of_beam, single_aperture
from rtviewer.review.names import is_bolus
from rtviewer.review.plan_checks import treatment_beams
from rtviewer.review.wedge_checks import check_wedges

__all__ = ["check_beams"]

_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO


def _label(beam: Beam) -> str:
    return f"BEAM:{beam.name or beam.number}"


def check_beams(ctx: ReviewContext) -> Iterator[PlanFinding]:
    """Every treatment beam against the profile's limits and machine table."""
    beams = treatment_beams(ctx)
    yield from _bolus(ctx, beams)
    pattern = str(ctx.profile.value("beams", "name_pattern") or "")
    yield from _plan_mu_per_gy(ctx, beams)
    yield from _beam_mu_per_gy(ctx, beams)
    for beam in beams:
        if pattern and not re.fullmatch(pattern, beam.name or ""):
            yield PlanFinding("BEAM_NAME", _W, f"Beam name {beam.name!r} does not follow the "
                              f"convention {pattern!r}.", (_label(beam),))
        yield from _mu(ctx, beam)
        yield from check_wedges(ctx, beam)
        yield from _apertures(ctx, beam)
        yield from _closed_pairs(ctx, beam)
        yield from _machine(ctx, beam)
        yield from _angles(ctx, beam)


def _mu(ctx: ReviewContext, beam: Beam) -> Iterator[PlanFinding]:
    mu = beam.meterset
    if mu is None or beam.radiation_type not in (RadiationType.PHOTON, RadiationType.ELECTRON):
        return
    lo = ctx.profile.number("beams", "mu_min")
    hi = ctx.profile.number("beams", "mu_max_srs" if ctx.is_srs else "mu_max")
    values = {"mu": mu}
    if mu < lo or mu > hi:
        yield PlanFinding("BEAM_MU", _W,
                          f"Beam {beam.name or beam.number!r} has {mu:.1f} MU (limits "
                          f"{lo:g}–{hi:g} MU).", (_label(beam),), values)


def _beam_mu_per_gy(ctx: ReviewContext, beams: tuple[Beam, ...]) -> Iterator[PlanFinding]:
    """Each beam's MU per Gy of its Beam Dose: above the limit, or an outlier of the plan.

    A beam whose ratio is ``mu_per_gy_outlier`` times the other beams' median stands out
    (a 10 x MU transcription error) even where the absolute limit is lax. Only where the
    other beams agree (their ratios within ``mu_per_gy_spread_max`` of each other): beams
    of a modulated plan contribute unequal shares to one reference point, and their
    MU per Gy of that share says nothing about their MU.
    """
    ratios = {b.number: b.meterset / b.beam_dose_gy for b in beams
              if b.meterset and b.beam_dose_gy and b.beam_dose_gy > 0.01
              and b.radiation_type in (RadiationType.PHOTON, RadiationType.ELECTRON)}
    if not ratios:
        return
    limit = ctx.profile.number("beams", "beam_mu_per_gy_max_srs" if ctx.is_srs
                               else "beam_mu_per_gy_max")
    outlier = ctx.profile.number("beams", "mu_per_gy_outlier")
    spread = ctx.profile.number("beams", "mu_per_gy_spread_max")
    open_limit = ctx.profile.number("beams", "beam_mu_per_gy_max_open")
    for beam in beams:
        ratio = ratios.get(beam.number)
        if ratio is None:
            continue
        others = [r for n, r in ratios.items() if n != beam.number]
        if others and max(others) > spread * min(others):
            continue  # unequal shares of one point (IMRT beams at a common point): no measure
        median = float(np.median(others)) if others else ratio
        beam_limit = min(limit, open_limit) if _unmodulated(beam) else limit
        high = ratio > beam_limit
        odd = bool(others) and ratio > outlier * median
        if high or odd:
            why = (f"limit {beam_limit:g}" if high else
                   f"{ratio / median:.1f} × the other beams' median {median:.0f}")
            yield PlanFinding("BEAM_MU_PER_GY", _W,
                              f"Beam {beam.name or beam.number!r}: {ratio:.0f} MU per Gy of its "
                              f"beam dose ({why}).", (_label(beam),),
                              {"mu": beam.meterset or 0.0, "mu_per_gy": ratio,
                               "others_median_mu_per_gy": median})


def _unmodulated(beam: Beam) -> bool:
    """An open or conformal field: one MLC shape (or none), no wedge, no compensator."""
    return (not beam.wedges and not beam.compensators
            and (beam.mlc is None or single_aperture(beam)))


def _plan_mu_per_gy(ctx: ReviewContext, beams: tuple[Beam, ...]) -> Iterator[PlanFinding]:
    """All beams' MU per Gy of dose per fraction.

    A beam's own Beam Dose is at a point that may lie anywhere in its field, so per-beam
    ratios are not compared.
    """
    rx, n = ctx.prescription_gy, ctx.fractions
    mus = [b.meterset for b in beams if b.meterset is not None
           and b.radiation_type in (RadiationType.PHOTON, RadiationType.ELECTRON)]
    if rx is None or not n or not mus:
        return
    per_gy = sum(mus) / (rx / n)
    limit = ctx.profile.number("beams", "mu_per_gy_max_srs" if ctx.is_srs else "mu_per_gy_max")
    if per_gy > limit:
        yield PlanFinding("BEAM_MU_PER_GY", _W,
                          f"The plan's {sum(mus):.0f} MU per fraction deliver {rx / n:.2f} Gy: "
                          f"{per_gy:.0f} MU per Gy (limit {limit:g}).", ("PLAN",),
                          {"mu": sum(mus), "mu_per_gy": per_gy})


def _apertures(ctx: ReviewContext, beam: Beam) -> Iterator[PlanFinding]:
    key = "field_min_mm_srs" if ctx.is_srs else "field_min_mm"
    field_min = ctx.profile.number("beams", key)
    smallest, largest, closed = np.inf, 0.0, []
    previous = 0.0
    for cp, positions in positions_by_cp(beam):
        sizes = jaw_sizes_mm(positions)
        if sizes:
            smallest = min(smallest, min(sizes.values()))
            largest = max(largest, min(sizes.values()))
        weight = cp.cumulative_meterset_weight or 0.0
        delivering = weight > previous  # this segment (CP-1 -> CP) delivers meterset
        previous = max(previous, weight)
        area = open_area_mm2(beam, positions)
        if delivering and area is not None and area <= 0.0:
            closed.append(cp.index)
    # a static beam's field is each segment's; a dynamic beam (jaw tracking, VMAT) sweeps
    # narrow openings by design, so its largest opening is the field compared
    dynamic = beam.beam_type is not None and beam.beam_type.value == "DYNAMIC"
    smallest = largest if dynamic and largest > 0 else smallest
    if smallest < field_min:
        yield PlanFinding("BEAM_FIELD_SIZE", _W,
                          f"Beam {beam.name or beam.number!r}: a jaw opening of {smallest:.1f} mm "
                          f"(minimum {field_min:g} mm).", (_label(beam),),
                          {"jaw_opening_mm": float(smallest)})
    if closed:
        yield PlanFinding("BEAM_JAW_MLC", _E,
                          f"Beam {beam.name or beam.number!r}: no opening through jaws and MLC at "
                          f"{len(closed)} control point(s) that deliver MU (first: {closed[0]}).",
                          (_label(beam),), {"control_points": float(len(closed))})


def _machine_entry(ctx: ReviewContext, beam: Beam) -> dict[str, object] | None:
    machines = ctx.profile.value("beams", "machines") or {}
    entry = machines.get(beam.machine_name or "", machines.get("*"))
    return entry if isinstance(entry, dict) else None


def _machine(ctx: ReviewContext, beam: Beam) -> Iterator[PlanFinding]:
    entry = _machine_entry(ctx, beam)
    if entry is None or beam.radiation_type is None:
        return
    allowed = entry.get(beam.radiation_type.value)
    energy = beam.nominal_energy
    if isinstance(allowed, list) and energy and not any(  # 0 / absent: Co-60, not stated
            abs(energy - float(e)) < 1e-6 for e in allowed):
        yield PlanFinding("BEAM_ENERGY", _E,
                          f"Beam {beam.name or beam.number!r}: {beam.radiation_type.value} "
                          f"{energy:g} is not allowed on {beam.machine_name!r} "
                          f"({', '.join(str(e) for e in allowed)}).", (_label(beam),),
                          {"energy": energy})
    rate_max = entry.get("dose_rate_max")
    rates = [cp.dose_rate_set for cp in beam.control_points if cp.dose_rate_set is not None]
    if isinstance(rate_max, (int, float)) and rates and max(rates) > float(rate_max):
        yield PlanFinding("BEAM_DOSE_RATE", _E,
                          f"Beam {beam.name or beam.number!r}: dose rate {max(rates):g} MU/min "
                          f"above {beam.machine_name!r}'s {rate_max} MU/min.", (_label(beam),),
                          {"dose_rate": float(max(rates))})


def _angles(ctx: ReviewContext, beam: Beam) -> Iterator[PlanFinding]:
    """Couch and collimator angles inside the profile's allowed ranges (degrees, IEC 61217)."""
    for what, attribute in (("couch", "couch_angle_deg"), ("collimator", "collimator_angle_deg")):
        ranges = ctx.profile.value("beams", f"{what}_angle_allowed_deg") or []
        stated = {a for cp in beam.control_points if (a := getattr(cp, attribute)) is not None}
        for angle in sorted(stated):
            if ranges and not any(float(lo) <= angle % 360 <= float(hi) for lo, hi in ranges):
                allowed = ", ".join(f"{float(lo):g}–{float(hi):g}" for lo, hi in ranges)
                yield PlanFinding(f"BEAM_{what.upper()}_ANGLE", _W,
                                  f"Beam {beam.name or beam.number!r}: {what} angle {angle:g}° "
                                  f"is outside the allowed ranges ({allowed}°).", (_label(beam),),
                                  {f"{what}_deg": angle})


def _closed_pairs(ctx: ReviewContext, beam: Beam) -> Iterator[PlanFinding]:
    """Closed leaf pairs the jaws leave in the field of a conformal (one-shape) beam."""
    if not single_aperture(beam) or len(beam.mlcs) > 1:
        return  # modulated beams close pairs in the field by design; a 2nd layer covers them
    pairs = list(closed_pairs_of_beam(beam, ctx.profile.number("beams", "closed_leaf_gap_mm"),
                                      ctx.profile.number("beams", "closed_leaf_jaw_margin_mm")))
    if not pairs:
        return
    first = pairs[0]
    at_first = [p for p in pairs if p.control_point == first.control_point]
    listed = ", ".join(f"pair {p.leaf_pair} at {p.position_mm:.1f} mm" for p in at_first)
    cps = len({p.control_point for p in pairs})
    yield PlanFinding("BEAM_CLOSED_LEAF_PAIR", _W,
                      f"Beam {beam.name or beam.number!r}: {len(at_first)} closed leaf pair(s) "
                      f"inside the jaw opening at {cps} control point(s) (control point "
                      f"{first.control_point}: {listed}); their leaf ends leak: close them "
                      "behind a jaw.", (_label(beam),),
                      {"closed_pairs": float(len(at_first)), "control_points": float(cps),
                       "control_point": float(first.control_point),
                       "leaf_pair": float(first.leaf_pair), "position_mm": first.position_mm,
                       "gap_mm": first.gap_mm})


def _bolus(ctx: ReviewContext, beams: tuple[Beam, ...]) -> Iterator[PlanFinding]:
    bolus = [r for r in ctx.rois if is_bolus(r)]
    numbers = {r.roi_number for r in bolus}
    referencing = [b for b in beams if b.number_of_boli or b.bolus_roi_numbers]
    for beam in referencing:
        missing = [n for n in beam.bolus_roi_numbers if n not in numbers]
        if not bolus or missing:
            yield PlanFinding("BOLUS_MISSING", _W,
                              f"Beam {beam.name or beam.number!r} references a bolus but the "
                              "structure set has no such bolus structure.", (_label(beam),))
    if bolus and ctx.rois and not referencing:
        yield PlanFinding("BOLUS_NOT_REFERENCED", _W,
                          f"Bolus structure {bolus[0].name!r} exists but no beam references a "
                          "bolus: is the bolus on the treatment sheet?",
                          tuple(f"ROI:{r.name}" for r in bolus))
