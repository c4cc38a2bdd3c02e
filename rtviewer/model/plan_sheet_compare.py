"""Two plan sheets side by side: which plan and beam values differ (MU, angles, energies).

Beams are paired by Beam Number, then, for numbers only one plan has, by beam name.
Numbers compare within a tolerance fit for a plan check (0.01 MU, 0.01°, 0.01 mm,
0.001 Gy); text compares exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rtviewer.model.plan_sheet import BeamSheet, PlanSheet

__all__ = ["SheetRow", "compare_sheets"]

Value = str | float | int | tuple[object, ...] | None

_PLAN_FIELDS: tuple[tuple[str, Callable[[PlanSheet], Value], float], ...] = (
    ("label", lambda s: s.label, 0.0),
    ("technique(s)", lambda s: ", ".join(sorted({b.technique for b in s.beams})), 0.0),
    ("prescription (Gy)", lambda s: s.prescription_gy, 1e-3),
    ("fractions", lambda s: s.fractions_planned, 0.0),
    ("beams", lambda s: len(s.beams), 0.0),
    ("total MU per fraction", lambda s: s.total_mu_per_fraction, 1e-2),
)

_BEAM_FIELDS: tuple[tuple[str, Callable[[BeamSheet], Value], float], ...] = (
    ("name", lambda b: b.name, 0.0),
    ("radiation", lambda b: b.radiation_type, 0.0),
    ("energy", lambda b: b.energy, 0.0),
    ("machine", lambda b: b.machine, 0.0),
    ("technique", lambda b: b.technique, 0.0),
    ("meterset", lambda b: b.meterset, 1e-2),
    ("dose rate", lambda b: b.dose_rate, 1e-2),
    ("gantry start (deg)", lambda b: b.gantry_start_deg, 1e-2),
    ("gantry stop (deg)", lambda b: b.gantry_stop_deg, 1e-2),
    ("gantry direction", lambda b: b.gantry_direction, 0.0),
    ("collimator (deg)", lambda b: b.collimator_deg, 1e-2),
    ("couch (deg)", lambda b: b.couch_deg, 1e-2),
    ("isocentre (mm)", lambda b: b.isocentre_mm, 1e-2),
    ("SSD (mm)", lambda b: b.ssd_mm, 1e-2),
    ("field X (mm)", lambda b: b.field_x_mm, 1e-2),
    ("field Y (mm)", lambda b: b.field_y_mm, 1e-2),
    ("MLC", lambda b: b.mlc, 0.0),
    ("wedges", lambda b: b.wedges, 0.0),
    ("blocks", lambda b: b.blocks, 0.0),
    ("bolus", lambda b: b.boli, 0.0),
    ("control points", lambda b: b.control_points, 0.0),
    ("beam dose (Gy)", lambda b: b.beam_dose_gy, 1e-3),
)


@dataclass(frozen=True)
class SheetRow:
    """One compared value.

    ``item`` is ``"plan"`` or ``"beam N"`` (N the Beam Number of A, else of B).
    ``a`` and ``b`` are the values as text (``""`` when absent or the beam is missing).
    """

    item: str
    field: str
    a: str
    b: str
    differs: bool


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, tuple):
        return ", ".join(_text(v) for v in value)
    return str(value)


def _same(a: object, b: object, tolerance: float) -> bool:
    if isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b):
        return all(_same(x, y, tolerance) for x, y in zip(a, b, strict=True))
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(float(a) - float(b)) <= tolerance
    return a == b


def _row(item: str, name: str, a: Value, b: Value, tolerance: float) -> SheetRow:
    return SheetRow(item, name, _text(a), _text(b), not _same(a, b, tolerance))


def _pairs(a: PlanSheet, b: PlanSheet) -> list[tuple[BeamSheet | None, BeamSheet | None]]:
    """Beams paired by number, then leftovers by name, then unpaired."""
    by_number_b = {beam.number: beam for beam in b.beams}
    pairs: list[tuple[BeamSheet | None, BeamSheet | None]] = []
    left_a = []
    for beam in a.beams:
        if beam.number in by_number_b:
            pairs.append((beam, by_number_b.pop(beam.number)))
        else:
            left_a.append(beam)
    by_name_b = {beam.name: beam for beam in by_number_b.values() if beam.name}
    for beam in left_a:
        pairs.append((beam, by_name_b.pop(beam.name, None) if beam.name else None))
    paired_b = {id(p[1]) for p in pairs if p[1] is not None}
    pairs += [(None, beam) for beam in b.beams if id(beam) not in paired_b]
    return pairs


def compare_sheets(a: PlanSheet, b: PlanSheet) -> tuple[SheetRow, ...]:
    """Every plan-level and per-beam value of A beside B, marked where they differ."""
    rows = [_row("plan", name, get(a), get(b), tol) for name, get, tol in _PLAN_FIELDS]
    for beam_a, beam_b in _pairs(a, b):
        number = beam_a.number if beam_a is not None else beam_b.number  # type: ignore[union-attr]
        item = f"beam {number}"
        for name, get, tol in _BEAM_FIELDS:
            va = get(beam_a) if beam_a is not None else None
            vb = get(beam_b) if beam_b is not None else None
            missing = beam_a is None or beam_b is None
            rows.append(SheetRow(item, name, _text(va), _text(vb),
                                 missing or not _same(va, vb, tol)))
    return tuple(rows)
