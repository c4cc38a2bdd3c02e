"""How far the DVH plot's dose axis reaches: the structures shown, not a brachy source's tail.

A structure that holds an HDR source (the CTV, the body) reaches hundreds of Gy in the
few voxels next to it; fitted to that maximum, every organ-at-risk curve is squashed
against the dose origin. The axis therefore fits the maxima of the structures shown,
with a little headroom, and a maximum beyond ``TAIL_FACTOR`` times the prescription
counts only up to that dose, so the prescription region stays readable; the cut is
named (never silent) and the user can ask for the full range.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["HEADROOM", "TAIL_FACTOR", "DoseAxis", "dvh_dose_axis"]

#: The axis ends this fraction beyond the largest maximum it fits.
HEADROOM = 0.05
#: A maximum beyond this multiple of the prescription is a source's tail (brachy).
TAIL_FACTOR = 3.0


@dataclass(frozen=True)
class DoseAxis:
    """The dose range of the DVH plot.

    Attributes
    ----------
    upper : float
        Right end of the axis, in the plot's dose unit (Gy or % of the reference).
    cut_names : tuple[str, ...]
        Structures whose curve continues beyond ``upper`` (empty when none is cut).
    largest : float
        The largest shown maximum (same unit): where the cut curves end.
    """

    upper: float
    cut_names: tuple[str, ...]
    largest: float


def dvh_dose_axis(maxima: list[tuple[str, float]], prescription: float | None, *,
                  fit_all: bool = False) -> DoseAxis | None:
    """The dose range that fits the shown structures' maxima.

    Parameters
    ----------
    maxima : list of (name, maximum dose)
        The shown structures' Dmax, in the plot's dose unit.
    prescription : float or None
        The prescription in the same unit; None when there is none (nothing is cut).
    fit_all : bool
        Fit every maximum, however far the tail reaches.

    Returns
    -------
    DoseAxis or None
        None when no maximum is positive (nothing to fit).

    Examples
    --------
    >>> axis = dvh_dose_axis([("Rectum", 24.6), ("CTV", 740.5)], 28.0)
    >>> round(axis.upper, 1), axis.cut_names
    (88.2, ('CTV',))
    >>> dvh_dose_axis([("PTV", 64.0)], 60.0).cut_names
    ()
    """
    positive = [(name, value) for name, value in maxima if value > 0]
    if not positive:
        return None
    full = max(value for _name, value in positive)
    ceiling = full
    if prescription is not None and prescription > 0 and not fit_all:
        ceiling = min(full, TAIL_FACTOR * prescription)
    cut = tuple(name for name, value in positive if value > ceiling)
    return DoseAxis(upper=ceiling * (1.0 + HEADROOM), cut_names=cut, largest=full)
