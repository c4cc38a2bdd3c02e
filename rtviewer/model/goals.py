"""Clinical goals: a DVH constraint per structure, parsed from a human-readable line.

A goal reads ``STRUCTURE: METRIC OP LIMIT UNIT [Rx] [EQD2|BED]``:

* ``METRIC``: ``Dmax``, ``Dmin``, ``Dmean``; ``D<x>cc`` (minimum dose to the hottest
  ``x`` cc, e.g. ``D0.03cc``, ``D2cc``); ``D<x>`` or ``D<x>%`` (hottest ``x`` % of the
  volume, e.g. ``D95``); ``V<x>Gy`` (volume receiving at least ``x`` Gy); ``V<x>%Rx``
  (volume receiving at least ``x`` % of the prescription);
* ``OP``: ``<``, ``<=``, ``>``, ``>=``;
* ``LIMIT UNIT``: a dose in ``Gy`` or ``% Rx`` for D-metrics; a volume in ``%`` (of the
  structure) or ``cc`` for V-metrics;
* ``EQD2`` or ``BED``: the goal's doses (a D-metric's value and limit, a V-metric's
  threshold) are equivalent doses for the goal's α/β and the plan's fractions
  (:mod:`rtviewer.core.radiobiology`).

Examples: ``SpinalCord: D0.03cc < 45 Gy``, ``Lungs-GTV: V20Gy < 30 %``,
``PTV: D95 >= 95 % Rx``, ``Rectum: D2cc < 75 Gy EQD2`` (with ``alpha_beta: 3``).
"""

from __future__ import annotations

import enum
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Goal", "GoalSet", "GoalSyntaxError", "Metric", "Priority", "parse_goal"]


class GoalSyntaxError(ValueError):
    """A goal line that does not follow the syntax (module docstring)."""


class Priority(enum.Enum):
    """How a goal counts: a failed mandatory goal fails the plan."""

    MANDATORY = "mandatory"
    OPTIMAL = "optimal"


class Metric(enum.Enum):
    """The DVH quantity a goal constrains."""

    DMAX = "Dmax"
    DMIN = "Dmin"
    DMEAN = "Dmean"
    D_CC = "D(cc)"
    D_PERCENT = "D(%)"
    V_GY = "V(Gy)"
    V_PERCENT_RX = "V(%Rx)"


OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


@dataclass(frozen=True)
class Goal:
    """One clinical goal.

    Attributes
    ----------
    structure : str
        The structure's name as the goal set writes it (a TG-263 name, ideally).
    text : str
        The goal as written (``D0.03cc < 45 Gy``).
    metric : Metric
    parameter : float or None
        ``x`` of ``D<x>cc``, ``D<x>``, ``V<x>Gy``, ``V<x>%Rx``; None for Dmax/Dmin/Dmean.
    comparison : str
        One of ``<``, ``<=``, ``>``, ``>=``.
    limit : float
        The limit, in ``unit``.
    unit : str
        ``Gy``, ``% Rx``, ``%`` or ``cc``.
    equivalent : str or None
        ``EQD2`` or ``BED`` when the goal's doses are equivalent doses.
    alpha_beta_gy : float or None
        α/β (Gy) for ``equivalent``.
    priority : Priority
    fractions : tuple of int
        The fraction numbers this variant applies to (empty: any).
    source : str
        Where the goal comes from (publication, table), as the goal file says.
    """

    structure: str
    text: str
    metric: Metric
    parameter: float | None
    comparison: str
    limit: float
    unit: str
    equivalent: str | None = None
    alpha_beta_gy: float | None = None
    priority: Priority = Priority.MANDATORY
    fractions: tuple[int, ...] = ()
    source: str = ""

    @property
    def is_dose_goal(self) -> bool:
        """Whether the limit is a dose (D-metrics) rather than a volume."""
        return self.metric not in (Metric.V_GY, Metric.V_PERCENT_RX)

    def applies_to(self, fractions: int | None) -> bool:
        """Whether this variant applies to a plan of ``fractions`` fractions."""
        return not self.fractions or fractions in self.fractions

    def passes(self, value: float) -> bool:
        """Whether ``value`` (in the goal's unit) meets the goal."""
        return OPERATORS[self.comparison](value, self.limit)


@dataclass(frozen=True)
class GoalSet:
    """A named set of goals with its citation and structure-name synonyms."""

    name: str
    citation: str
    goals: tuple[Goal, ...]
    synonyms: tuple[tuple[str, str], ...] = ()
    path: str = ""


_NUMBER = r"(\d+(?:\.\d*)?|\.\d+)"
_GOAL = re.compile(
    rf"^\s*(?P<metric>Dmax|Dmin|Dmean|D{_NUMBER}\s*(?P<dunit>cc|%)?|"
    rf"V{_NUMBER}\s*(?P<vunit>Gy|%\s*Rx))\s*"
    rf"(?P<op><=|>=|<|>)\s*(?P<limit>{_NUMBER})\s*(?P<unit>Gy|%\s*Rx|%|cc)\s*"
    rf"(?P<eq>EQD2|BED)?\s*$", re.IGNORECASE)


def _metric(match: re.Match[str]) -> tuple[Metric, float | None]:
    text = match.group("metric")
    simple = {"dmax": Metric.DMAX, "dmin": Metric.DMIN, "dmean": Metric.DMEAN}
    if text.lower() in simple:
        return simple[text.lower()], None
    if text[0] in "dD":
        value = float(match.group(2))
        return (Metric.D_CC if (match.group("dunit") or "").lower() == "cc"
                else Metric.D_PERCENT), value
    value = float(match.group(4))
    return (Metric.V_GY if match.group("vunit").lower() == "gy" else Metric.V_PERCENT_RX), value


def _unit(raw: str) -> str:
    squashed = raw.replace(" ", "").lower()
    return {"gy": "Gy", "%rx": "% Rx", "%": "%", "cc": "cc"}[squashed]


def parse_goal(structure: str, text: str, *, priority: Priority = Priority.MANDATORY,
               alpha_beta_gy: float | None = None, fractions: tuple[int, ...] = (),
               source: str = "") -> Goal:
    """A :class:`Goal` from its metric text (``D0.03cc < 45 Gy``); GoalSyntaxError if not.

    Examples
    --------
    >>> g = parse_goal("PTV", "D95 >= 95 % Rx")
    >>> g.metric.value, g.parameter, g.comparison, g.limit, g.unit
    ('D(%)', 95.0, '>=', 95.0, '% Rx')
    """
    match = _GOAL.match(text)
    if match is None:
        raise GoalSyntaxError(f"{structure}: '{text}' is not a goal (e.g. 'D0.03cc < 45 Gy', "
                              "'V20Gy < 30 %', 'Dmean < 20 Gy', 'D95 >= 95 % Rx')")
    metric, parameter = _metric(match)
    unit = _unit(match.group("unit"))
    dose_metric = metric not in (Metric.V_GY, Metric.V_PERCENT_RX)
    if dose_metric and unit not in ("Gy", "% Rx"):
        raise GoalSyntaxError(f"{structure}: '{text}': a dose goal's limit is in Gy or % Rx")
    if not dose_metric and unit not in ("%", "cc"):
        raise GoalSyntaxError(f"{structure}: '{text}': a volume goal's limit is in % or cc")
    if metric is Metric.D_PERCENT and not 0 <= (parameter or 0) <= 100:
        raise GoalSyntaxError(f"{structure}: '{text}': D<x> needs 0 <= x <= 100 (%)")
    equivalent = match.group("eq").upper() if match.group("eq") else None
    if equivalent and not (alpha_beta_gy and alpha_beta_gy > 0):
        raise GoalSyntaxError(f"{structure}: '{text}' is in {equivalent}: give alpha_beta "
                              "(Gy) for this goal")
    if equivalent and (unit == "% Rx" or metric is Metric.V_PERCENT_RX):
        raise GoalSyntaxError(f"{structure}: '{text}': an {equivalent} goal needs doses in Gy")
    return Goal(structure.strip(), " ".join(text.split()), metric, parameter,
                match.group("op"), float(match.group("limit")), unit, equivalent,
                alpha_beta_gy, priority, tuple(fractions), source)
