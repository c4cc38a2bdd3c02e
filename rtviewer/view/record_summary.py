"""Treatment records summarised per session and per beam, with deviations (no Qt).

A deviation is a delivered meterset more than :data:`MU_TOLERANCE` away from the
planned one (the plan's Beam Meterset, else the record's Specified Meterset), or an
interrupted delivery (termination other than NORMAL, or a beam stopped short).
For brachy records the channel times play the part of the MU.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["MU_TOLERANCE", "SessionRow", "BeamRow", "session_rows", "beam_rows", "channel_rows",
           "fraction_totals"]

#: Relative MU difference above which a delivered beam is flagged (1 %).
MU_TOLERANCE = 0.01


@dataclass(frozen=True)
class SessionRow:
    """One record (session): what was delivered and whether it deviates."""

    path: str
    date_time: str
    fraction: str
    delivered: str
    delivered_mu: float | None
    planned_mu: float | None
    termination: str
    deviations: tuple[str, ...]


@dataclass(frozen=True)
class BeamRow:
    """One planned beam (or brachy channel) over all sessions."""

    beam: str
    fractions_delivered: int
    fractions_planned: int | None
    interrupted: int
    delivered_mu: float
    planned_mu: float | None
    deviations: tuple[str, ...]


def _planned_mu(plan: Any, treated: Any) -> float | None:
    beam = plan.beam(treated.referenced_beam_number) if plan is not None and \
        treated.referenced_beam_number is not None else None
    if beam is not None and beam.meterset is not None:
        return float(beam.meterset)
    specified = treated.specified_meterset
    return None if specified is None else float(specified)


def fraction_totals(records: list[Any]) -> dict[tuple[Any, ...], tuple[float, int]]:
    """Delivered MU per (Beam Number, fraction number), summed over sessions, and the count.

    A beam interrupted and completed in a later session of the same fraction is one
    delivery: its MU are judged on the sum.
    """
    totals: dict[tuple[Any, ...], tuple[float, int]] = {}
    for record in records:
        for b in record.beams:
            fraction = b.current_fraction_number or record.session.current_fraction_number
            if fraction is None or b.delivered_meterset is None:
                continue
            key = (b.referenced_beam_number, fraction)
            mu, count = totals.get(key, (0.0, 0))
            totals[key] = (mu + b.delivered_meterset, count + 1)
    return totals


def _beam_deviations(plan: Any, treated: Any, totals: dict[tuple[Any, ...], tuple[float, int]],
                     fraction: int | None) -> list[str]:
    out = []
    name = f"beam {treated.referenced_beam_number}"
    planned = _planned_mu(plan, treated)
    delivered, sessions = totals.get((treated.referenced_beam_number, fraction),
                                     (treated.delivered_meterset, 1))
    if planned and delivered is not None:
        diff = (delivered - planned) / planned
        if abs(diff) > MU_TOLERANCE:
            over = f" over {sessions} sessions" if sessions > 1 else ""
            which = f" (fraction {fraction})" if fraction is not None else ""
            out.append(f"{name}{which}: {delivered:.1f} MU delivered{over} of "
                       f"{planned:.1f} planned ({100 * diff:+.1f} %)")
    status = treated.termination_status
    if status is not None and status.value != "NORMAL":
        reason = f" ({treated.termination_reason})" if treated.termination_reason else ""
        out.append(f"{name}: terminated {status.value}{reason}")
    return out


def _channel_deviations(channel: Any) -> list[str]:
    spec, done = channel.specified_total_time_s, channel.delivered_total_time_s
    if spec and done is not None and abs(done - spec) / spec > MU_TOLERANCE:
        return [f"channel {channel.channel_number}: {done:.1f} s delivered of {spec:.1f} s"]
    return []


def session_rows(plan: Any, records: list[Any]) -> list[SessionRow]:
    """One row per record, in date order (undated last)."""
    rows = []
    ordered = sorted(records, key=lambda r: (r.session.date_time is None,
                                             r.session.date_time or 0, r.path))
    for record in ordered:
        s = record.session
        planned_total = plan.fractions_planned if plan is not None else None
        fraction = (f"{s.current_fraction_number if s.current_fraction_number else '?'} of "
                    f"{s.number_of_fractions_planned or planned_total or '?'}")
        deviations: list[str] = []
        if record.beams:
            delivered = ", ".join(f"{b.referenced_beam_number}" + (f" {b.name}" if b.name else "")
                                  for b in record.beams)
            mu = [b.delivered_meterset for b in record.beams if b.delivered_meterset is not None]
            planned = [_planned_mu(plan, b) for b in record.beams]
            totals = fraction_totals(records)
            for b in record.beams:
                deviations += _beam_deviations(
                    plan, b, totals, b.current_fraction_number or s.current_fraction_number)
            statuses = {b.termination_status.value for b in record.beams if b.termination_status}
        else:
            delivered = ", ".join(f"channel {c.channel_number}" for c in record.channels)
            mu = [c.delivered_total_time_s for c in record.channels
                  if c.delivered_total_time_s is not None]
            planned = [c.specified_total_time_s for c in record.channels]
            for c in record.channels:
                deviations += _channel_deviations(c)
            statuses = {a.termination_status.value for a in record.application_setups
                        if a.termination_status}
            deviations += [f"application setup {a.setup_number}: terminated "
                           f"{a.termination_status.value}" for a in record.application_setups
                           if a.termination_status and a.termination_status.value != "NORMAL"]
        rows.append(SessionRow(
            path=str(record.path),
            date_time=s.date_time.isoformat(sep=" ") if s.date_time else "—",
            fraction=fraction, delivered=delivered or "none",
            delivered_mu=sum(mu) if mu else None,
            planned_mu=sum(p for p in planned if p is not None) if any(
                p is not None for p in planned) else None,
            termination=", ".join(sorted(statuses)) or "not stated",
            deviations=tuple(deviations)))
    return rows


def channel_rows(plan: Any, records: list[Any]) -> list[BeamRow]:
    """Per brachy channel: fractions delivered in full of those planned, times (s)."""
    planned = {c.number: c for c in plan.brachy.channels} if plan is not None and \
        getattr(plan, "brachy", None) is not None else {}
    numbers = list(planned)
    for record in records:
        numbers += [c.channel_number for c in record.channels if c.channel_number not in numbers]
    fractions = plan.fractions_planned if plan is not None else None
    rows = []
    for number in numbers:
        done = [(r.session.current_fraction_number, c) for r in records for c in r.channels
                if c.channel_number == number]
        full = {f for f, c in done if c.time_deficit_s is not None
                and c.time_deficit_s <= MU_TOLERANCE * (c.specified_total_time_s or 0.0)}
        short = sum(1 for _f, c in done if c.time_deficit_s is not None
                    and c.time_deficit_s > MU_TOLERANCE * (c.specified_total_time_s or 0.0))
        channel = planned.get(number)
        total = channel.total_time_all_pulses_s if channel is not None else None
        rows.append(BeamRow(f"channel {number}", len(full), fractions, short,
                            sum(c.delivered_total_time_s or 0.0 for _f, c in done),
                            total * fractions if total is not None and fractions else None,
                            tuple(d for _f, c in done for d in _channel_deviations(c))))
    return rows


def beam_rows(plan: Any, records: list[Any]) -> list[BeamRow]:
    """Per planned beam: fractions delivered (complete) of those planned, MU totals.

    Brachy plans and records give one row per channel (times in s) instead.
    """
    if getattr(plan, "brachy", None) is not None or any(r.channels for r in records):
        return channel_rows(plan, records)
    numbers = [b.number for b in getattr(plan, "beams", ()) or ()]
    for record in records:
        numbers += [b.referenced_beam_number for b in record.beams
                    if b.referenced_beam_number not in numbers]
    rows = []
    planned_fractions = plan.fractions_planned if plan is not None else None
    for number in numbers:
        treated = [b for r in records for b in r.beams if b.referenced_beam_number == number]
        beam = plan.beam(number) if plan is not None and number is not None else None
        per_fraction = beam.meterset if beam is not None else None
        totals = fraction_totals(records)
        # a fraction counts when its sessions together delivered the planned MU
        complete = {b.current_fraction_number for b in treated if b.completed}
        if per_fraction:
            complete |= {f for (n, f), (mu, _c) in totals.items() if n == number
                         and mu >= per_fraction * (1 - MU_TOLERANCE)}
        interrupted = sum(1 for b in treated if not b.completed)
        delivered = sum(b.delivered_meterset or 0.0 for b in treated)
        planned = (per_fraction * planned_fractions
                   if per_fraction is not None and planned_fractions else None)
        devs = sorted({d for r in records for b in r.beams if b.referenced_beam_number == number
                       for d in _beam_deviations(plan, b, totals, b.current_fraction_number
                                                 or r.session.current_fraction_number)})
        name = f"{number}: {getattr(beam, 'name', None) or (treated[0].name if treated else '')}"
        rows.append(BeamRow(name, len(complete), planned_fractions, interrupted, delivered,
                            planned, tuple(devs)))
    return rows
