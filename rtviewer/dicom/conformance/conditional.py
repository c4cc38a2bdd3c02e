"""Evaluate the Type 1C/2C rows of :mod:`rtviewer.dicom.conformance.conditions`.

For every item a rule's path reaches, the condition is evaluated; where it holds,
a Type 1C attribute must be present and not empty, a Type 2C attribute present.
A problem repeated in many items (the first control point of every beam) is
reported once with the number of items concerned, as for Type 1/2.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass

from pydicom.dataset import Dataset

from rtviewer.dicom.conformance.conditions import CONDITIONAL_RULES, ConditionalRule, Context
from rtviewer.model.findings import Finding, Severity

__all__ = ["check_conditional_attributes"]


def _contexts(root: Dataset, path: tuple[str, ...]) -> Iterator[Context]:
    """Every item at ``path`` below ``root``, with its index and parent item."""
    level = [Context(root, 0, None, root)]
    for keyword in path:
        deeper = []
        for ctx in level:
            for n, item in enumerate(_sequence(ctx.item, keyword)):
                deeper.append(Context(item, n, ctx.item, root))
        level = deeper
    yield from level


def _sequence(ds: Dataset, keyword: str) -> list[Dataset]:
    if keyword not in ds:
        return []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            value = ds[keyword].value
        except Exception:  # noqa: BLE001 - a malformed sequence has no items to judge
            return []
    try:
        return [item for item in value if isinstance(item, Dataset)]
    except TypeError:
        return []


def _state(item: Dataset, keyword: str) -> str:
    """``missing``, ``empty`` or ``present``."""
    if keyword not in item:
        return "missing"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            element = item[keyword]
        except Exception:  # noqa: BLE001 - undecodable: present for our purpose
            return "present"
    return "empty" if element.is_empty else "present"


@dataclass
class _Tally:
    items: int = 0
    missing: int = 0
    empty: int = 0


def check_conditional_attributes(ds: Dataset, iod: str | None) -> list[Finding]:
    """Findings for Type 1C/2C attributes whose condition holds but which are absent.

    Parameters
    ----------
    ds : pydicom.Dataset
    iod : str or None
        The IOD key of the dataset's SOP Class (``"rt-plan"``); None checks nothing.

    Returns
    -------
    list of Finding
        Codes ``MISSING_TYPE1C_ATTRIBUTE``, ``EMPTY_TYPE1C_ATTRIBUTE`` (warnings) and
        ``MISSING_TYPE2C_ATTRIBUTE`` (information).
    """
    if iod is None:
        return []
    findings = []
    for rule in CONDITIONAL_RULES:
        if iod not in rule.iods:
            continue
        tally = _Tally()
        for ctx in _contexts(ds, rule.path):
            if not rule.condition.holds(ctx):
                continue
            tally.items += 1
            state = _state(ctx.item, rule.keyword)
            if state == "missing":
                tally.missing += 1
            elif state == "empty" and rule.attribute_type == "1C":
                tally.empty += 1
        findings += _findings(rule, tally)
    return findings


def _findings(rule: ConditionalRule, tally: _Tally) -> list[Finding]:
    attribute = ">".join((*rule.path, rule.keyword))
    where = "" if not rule.path else f" in {{n}} of the {tally.items} {rule.path[-1]} items " \
        "where the condition holds"
    why = f" ({rule.condition_text}: PS3.3 {rule.section}, {rule.module} module)"
    out = []
    if tally.missing:
        code = f"MISSING_TYPE{rule.attribute_type}_ATTRIBUTE"
        severity = Severity.WARNING if rule.attribute_type == "1C" else Severity.INFO
        assumption = ("rtviewer treats it as unknown" if rule.attribute_type == "1C"
                      else "treated as unknown")
        out.append(Finding(code, f"{rule.keyword} (Type {rule.attribute_type}) is missing"
                           f"{where.format(n=tally.missing)}{why}.", severity, attribute,
                           assumption))
    if tally.empty:
        out.append(Finding("EMPTY_TYPE1C_ATTRIBUTE", f"{rule.keyword} (Type 1C) is present "
                           f"but empty{where.format(n=tally.empty)}{why}.", Severity.WARNING,
                           attribute, "rtviewer treats it as unknown"))
    return out
