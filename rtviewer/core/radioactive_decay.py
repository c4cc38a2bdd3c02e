"""Radioactive decay of a brachytherapy source's strength.

``S(t) = S(t_ref) · 2^(−Δt / T½)``, written with the power of two (not ``exp(−λΔt)``
with a rounded λ) so that one half-life gives exactly one half.
"""

from __future__ import annotations

import datetime as dt

__all__ = ["HALF_LIFE_DAYS", "decay_factor", "elapsed_days", "half_life_days"]

#: Half-lives (days) used when a plan states none. Ir-192: 73.83 d, the value the
#: planning systems of the corpus write in Source Isotope Half Life (Eclipse, Oncentra)
#: and the HEBD report's; Co-60: 1925.3 d (5.2711 a).
HALF_LIFE_DAYS = {"IR-192": 73.83, "CO-60": 1925.3}


def _isotope_key(name: str) -> str:
    """``"Ir-192"``, ``"192Ir"``, ``"IR192"``, ``"Iridium-192"`` → ``"IR-192"``."""
    upper = name.upper().replace(" ", "")
    for key in HALF_LIFE_DAYS:
        symbol, mass = key.split("-")
        if mass in upper and (symbol in upper or ("IRIDIUM" if symbol == "IR" else "COBALT")
                              in upper):
            return key
    return upper


def half_life_days(isotope_name: str | None, stated_days: float | None) -> tuple[float | None, str]:
    """The half-life to use (days) and where it comes from.

    The file's Source Isotope Half Life wins; otherwise the isotope's entry of
    :data:`HALF_LIFE_DAYS`; otherwise ``None`` (decay cannot be computed).
    """
    if stated_days is not None and stated_days > 0:
        return stated_days, "Source Isotope Half Life of the plan"
    if isotope_name:
        key = _isotope_key(isotope_name)
        if key in HALF_LIFE_DAYS:
            return HALF_LIFE_DAYS[key], f"{key} default (the plan states no half-life)"
    return None, f"no half-life for isotope {isotope_name!r}"


def elapsed_days(since: dt.datetime, until: dt.datetime) -> float:
    """Days (float) from ``since`` to ``until`` (negative when ``until`` is earlier)."""
    return (until - since).total_seconds() / 86400.0


def decay_factor(elapsed: float, half_life: float) -> float:
    """``S(t) / S(t_ref)`` after ``elapsed`` days for a ``half_life`` in days."""
    if half_life <= 0:
        raise ValueError(f"half-life must be positive, got {half_life!r} d")
    return float(2.0 ** (-elapsed / half_life))
