"""The dose that 100 % means in every view, panel and readout (no Qt)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ReferenceDose"]


@dataclass(frozen=True)
class ReferenceDose:
    """The dose that 100 % means, with where it came from.

    Attributes
    ----------
    dose_gy : float
        Reference dose in Gy (total over all fractions, never per fraction).
    source : str
        Human-readable origin, e.g. ``"plan prescription 14 Gy (PLAN)"`` or ``"user"``.
    is_prescription : bool
        False for a stand-in (the dose maximum when no prescription fits the dose):
        percentages are then of that stand-in, never "of Rx" (no V(Rx)).
    """

    dose_gy: float
    source: str
    is_prescription: bool = True
