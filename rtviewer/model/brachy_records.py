"""Brachy treatment records against their plan: channel times corrected for decay, TRAK.

An afterloader keeps the dose of a plan by lengthening every dwell as the source decays:
the time expected for a channel at delivery is the plan's channel time × S(plan) /
S(delivery), S the source strength decayed from its calibration (the plan's Source
Strength Reference Date/Time) to the time the plan was computed for and to the record's
treatment date/time. Times are per pulse for PDR (as the plan's and the record's
Channel Total Time); the delivered TRAK (µGy at 1 m) counts every delivered pulse.
"""

from __future__ import annotations

from dataclasses import dataclass

from rtviewer.model.brachy_check import SourceStrength, plan_strength, source_strength
from rtviewer.model.plan import Plan
from rtviewer.model.record import TreatmentRecord

__all__ = ["ChannelDelivery", "FractionDelivery", "compare_record"]


@dataclass(frozen=True)
class ChannelDelivery:
    """One channel of one fraction: planned, expected (decay-corrected) and delivered (s)."""

    channel_number: int | None
    planned_s: float | None
    expected_s: float | None
    delivered_s: float | None
    pulses: int
    difference_pct: float | None
    status: str


@dataclass(frozen=True)
class FractionDelivery:
    """One treatment record compared with its plan."""

    record_path: str
    fraction_number: int | None
    date_time: str | None
    decay_ratio: float | None
    strength_at_delivery: SourceStrength | None
    channels: tuple[ChannelDelivery, ...]
    trak_ugy: float | None
    notes: tuple[str, ...]

    @property
    def passed(self) -> bool:
        """No channel's delivered time outside the tolerance."""
        return all(c.status != "WARN" for c in self.channels)


def _channel(plan: Plan, recorded: object, ratio: float | None,
             tolerance_pct: float) -> ChannelDelivery:
    number = getattr(recorded, "channel_number", None)
    delivered = getattr(recorded, "delivered_total_time_s", None)
    assert plan.brachy is not None
    planned_channel = next((c for c in plan.brachy.channels if c.number == number), None)
    planned = None if planned_channel is None else planned_channel.total_time_s
    pulses = getattr(recorded, "delivered_number_of_pulses", None) or (
        planned_channel.pulses if planned_channel is not None else 1)
    expected = None if planned is None or ratio is None else planned * ratio
    if expected is None or delivered is None or expected <= 0:
        return ChannelDelivery(number, planned, expected, delivered, pulses, None,
                               "—" if planned_channel is not None else "NOT IN PLAN")
    diff = 100.0 * (delivered - expected) / expected
    return ChannelDelivery(number, planned, expected, delivered, pulses, diff,
                           "PASS" if abs(diff) <= tolerance_pct else "WARN")


def compare_record(plan: Plan, record: TreatmentRecord,
                   tolerance_pct: float) -> FractionDelivery:
    """Compare ``record``'s delivered channel times with ``plan``'s, decay-corrected."""
    notes: list[str] = []
    when = record.session.date_time
    ratio = strength = None
    assert plan.brachy is not None
    if not plan.brachy.sources:
        notes.append("the plan has no source: no decay correction")
    elif when is None:
        notes.append("the record has no Treatment Date/Time: no decay correction")
    else:
        try:
            planned = plan_strength(plan)
            strength = source_strength(plan.brachy.sources[0], when)
            ratio = planned.at_time_u / strength.at_time_u
        except ValueError as exc:
            notes.append(f"no decay correction: {exc}")
    channels = tuple(_channel(plan, c, ratio, tolerance_pct)
                     for setup in record.application_setups for c in setup.channels)
    trak = None
    if strength is not None and all(c.delivered_s is not None for c in channels):
        trak = sum(strength.at_time_u * (c.delivered_s or 0.0) * c.pulses / 3600.0
                   for c in channels)
    fraction = next((s.current_fraction_number for s in record.application_setups
                     if s.current_fraction_number is not None),
                    record.session.current_fraction_number)
    return FractionDelivery(record.path, fraction, None if when is None else when.isoformat(),
                            ratio, strength, channels, trak, tuple(notes))
