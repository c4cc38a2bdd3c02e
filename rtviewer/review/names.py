"""What a structure's name and type say: target, body, couch, bolus, left or right.

Laterality follows TG-263 (Mayo et al., AAPM Report 263, 2018): the suffixes ``_L`` and
``_R``; older names use ``Lt``/``Rt``, ``Left``/``Right`` or a leading ``L ``/``R ``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rtviewer.model.structure import Roi
from rtviewer.model.structure_names import standard_name

__all__ = ["laterality", "is_target", "is_body", "is_couch", "is_bolus"]

_LEFT = {"l", "lt", "left", "lft", "sin", "sinister"}
_RIGHT = {"r", "rt", "right", "rgt", "dx", "dexter"}
_TARGET_TYPES = {"PTV", "CTV", "GTV", "ITV"}
_TARGET_NAME = re.compile(r"^(PTV|CTV|GTV|ITV)", re.IGNORECASE)
# a target name that is really a derived help structure: rings, "BRAIN - PTV", "PTV_opt"
_NOT_TARGET = re.compile(r"(ring|wall|[-_ ]opt|optim|avoid|^z|[+-]\s*\d|\s-\s)", re.IGNORECASE)


def _tokens(name: str) -> list[str]:
    return [t for t in re.split(r"[\s_\-.,()\[\]/]+", name.lower()) if t]


def laterality(name: str) -> str | None:
    """``"L"``, ``"R"`` or None when the name says no side (or both).

    The TG-263 matcher of :mod:`rtviewer.model.structure_names` first (its synonyms map
    ``Lt Lung`` to ``Lung_L``), then the name's own words.
    """
    standard = standard_name(name).standard
    if standard and standard[-2:] in ("_L", "_R"):
        return standard[-1]
    tokens = set(_tokens(name))
    left, right = bool(tokens & _LEFT), bool(tokens & _RIGHT)
    if left == right:
        return None
    return "L" if left else "R"


def is_target(roi: Roi) -> bool:
    """A treatment target: RT ROI Interpreted Type PTV/CTV/GTV/ITV or a PTV... name."""
    kind = (roi.interpreted_type or "").upper()
    if _NOT_TARGET.search(roi.name):
        return False
    return kind in _TARGET_TYPES or (not kind or kind in {"ORGAN", "CONTROL"}) and bool(
        _TARGET_NAME.match(roi.name.strip()))


def is_body(roi: Roi, body_names: Iterable[str]) -> bool:
    """The external contour: type EXTERNAL or a body name of the profile."""
    names = {n.upper() for n in body_names}
    return (roi.interpreted_type or "").upper() == "EXTERNAL" or roi.name.strip().upper() in names


def is_couch(roi: Roi, prefixes: Iterable[str]) -> bool:
    """A couch structure: type SUPPORT or a name starting with a couch prefix."""
    upper = roi.name.strip().upper()
    return ((roi.interpreted_type or "").upper() == "SUPPORT"
            or any(upper.startswith(p.upper()) for p in prefixes))


def is_bolus(roi: Roi) -> bool:
    """A bolus structure: type BOLUS or ``bolus`` in the name."""
    return (roi.interpreted_type or "").upper() == "BOLUS" or "bolus" in roi.name.lower()
