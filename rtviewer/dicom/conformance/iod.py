"""Presence and emptiness of Type 1 and Type 2 attributes per module of an IOD.

What is checked (PS3.3 usage letters, PS3.5 §7.4 attribute types):

- Modules that are Mandatory (``M``) for the IOD are always checked. Conditional
  (``C``) and User-option (``U``) modules are checked only when present, i.e. when
  the dataset holds at least one top-level attribute that belongs to that module
  alone among the IOD's modules: the conditions are prose in the standard and
  cannot be evaluated mechanically.
- Type 1 (present, not empty) and Type 2 (present, may be empty) attributes, at
  top level and inside every item of the sequences that are present, down to
  :data:`~rtviewer.dicom.conformance.tables.MAX_SEQUENCE_DEPTH`. Type 1C/2C are
  checked by :mod:`rtviewer.dicom.conformance.conditional`, for the RT modules whose
  conditions are written as data; Type 3 is optional.
- Severities: a Type 1 attribute missing or empty is a warning, raised to an error
  for the few attributes rtviewer needs and has no safe assumption for
  (:data:`NEEDED_BY_RTVIEWER`); a missing Type 2 attribute is information.

A problem repeated in many items (e.g. one attribute missing from all 91 control
points of an arc) is reported once with the number of items concerned.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset

from rtviewer.dicom.conformance.tables import (
    AttributeRule,
    ModuleRule,
    iod_name_for_sop_class,
    keyword_tag,
    module_rules_for_iod,
)
from rtviewer.model.findings import Finding, Severity

__all__ = ["NEEDED_BY_RTVIEWER", "check_iod_attributes"]

_IMAGE_GEOMETRY = frozenset({
    "Rows", "Columns", "PixelSpacing", "ImagePositionPatient", "ImageOrientationPatient",
    "PixelData", "BitsAllocated", "PixelRepresentation", "SamplesPerPixel",
})

#: Type 1 attributes whose absence leaves rtviewer no safe assumption (error, not warning),
#: per highdicom IOD key.
NEEDED_BY_RTVIEWER: dict[str, frozenset[str]] = {
    "ct-image": _IMAGE_GEOMETRY,
    "mr-image": _IMAGE_GEOMETRY,
    "positron-emission-tomography-image": _IMAGE_GEOMETRY,
    "rt-dose": _IMAGE_GEOMETRY | {"DoseUnits"},
    "rt-structure-set": frozenset({"ROINumber", "ReferencedROINumber", "ContourGeometricType"}),
    "rt-plan": frozenset({"BeamNumber", "ControlPointIndex"}),
    "rt-ion-plan": frozenset({"BeamNumber", "ControlPointIndex"}),
    "rt-image": frozenset({"Rows", "Columns", "PixelData", "BitsAllocated"}),
}


@dataclass
class _Tally:
    rule: AttributeRule
    module: str
    evidence: str | None = None  # why a C/U module was judged present
    items: int = 0
    missing: int = 0
    empty: int = 0


def check_iod_attributes(ds: Dataset, *, sop_class_uid: str | None = None) -> list[Finding]:
    """Check a dataset's Type 1 and Type 2 attributes against its IOD.

    Parameters
    ----------
    ds : pydicom.Dataset
        A dataset read in full or headers only (Pixel Data is then not judged).
    sop_class_uid : str, keyword-only, optional
        The class to check against (default: the dataset's own SOP Class UID; the
        class inferred for a dataset that has none).

    Returns
    -------
    list of Finding
        Codes ``MISSING_MODULE``, ``MISSING_TYPE1_ATTRIBUTE``, ``EMPTY_TYPE1_ATTRIBUTE``
        and ``MISSING_TYPE2_ATTRIBUTE``; empty when the SOP class has no IOD in the
        standard's tables (private classes are reported elsewhere).
    """
    iod = iod_name_for_sop_class(str(ds.get("SOPClassUID", "")) if sop_class_uid is None
                                 else sop_class_uid)
    if iod is None:
        return []
    modules = module_rules_for_iod(iod)
    needed = NEEDED_BY_RTVIEWER.get(iod, frozenset())
    findings: list[Finding] = []
    tallies: dict[tuple[tuple[str, ...], str], _Tally] = {}
    items_cache: dict[tuple[str, ...], list[Dataset]] = {(): [ds]}
    with warnings.catch_warnings():
        # invalid values are reported by the readers; here only presence matters (one
        # filter for the whole dataset: one per attribute was a fifth of the check)
        warnings.simplefilter("ignore")
        for module in modules:
            evidence = _module_evidence(ds, module, modules)
            if module.usage != "M" and evidence is None:
                continue
            if module.usage == "M" and not any(_has(ds, kw)
                                               for kw in module.top_level_keywords):
                missing_module = _missing_module_finding(module, needed)
                if missing_module is not None:
                    findings.append(missing_module)
                    continue
            for rule in module.rules:
                key = (rule.path, rule.keyword)
                if key in tallies and tallies[key].rule.attribute_type <= rule.attribute_type:
                    continue  # the same attribute from another module, already as strict
                tallies[key] = _tally(items_cache, rule, module.module, evidence)
    skip_pixels = not _has(ds, "PixelData")  # headers-only reads stop before Pixel Data
    for tally in tallies.values():
        if skip_pixels and tally.rule.keyword == "PixelData" and not tally.rule.path:
            continue
        findings.extend(_tally_findings(tally, iod, needed))
    return findings


def _module_evidence(ds: Dataset, module: ModuleRule,
                     modules: Iterable[ModuleRule]) -> str | None:
    """Return an attribute showing that an optional module is present, or None."""
    if module.usage == "M":
        return None
    others: set[str] = set()
    for other in modules:
        if other.module != module.module:
            others |= other.top_level_keywords
    own = sorted(module.top_level_keywords - others)
    return next((kw for kw in own if _has(ds, kw)), None)


def _missing_module_finding(module: ModuleRule, needed: frozenset[str]) -> Finding | None:
    top = [r for r in module.rules if not r.path]
    if not top:
        return None
    type1 = [r.keyword for r in top if r.attribute_type == "1"]
    severity = Severity.INFO
    if type1:
        severity = Severity.ERROR if needed.intersection(type1) else Severity.WARNING
    names = ", ".join(r.keyword for r in top)
    return Finding(
        "MISSING_MODULE",
        f"The {module.module} module, mandatory for this object, is absent "
        f"(none of {names}).",
        severity, attribute=top[0].keyword,
        assumption="the attributes are treated as unknown")


def _items_at(cache: dict[tuple[str, ...], list[Dataset]],
              path: tuple[str, ...]) -> list[Dataset]:
    """Every item reached by following ``path`` (cached: many rules share a path)."""
    if path in cache:
        return cache[path]
    items: list[Dataset] = []
    for parent in _items_at(cache, path[:-1]):
        value = _value(parent, path[-1])
        if value is None:
            continue
        try:
            items.extend(item for item in value if isinstance(item, Dataset))
        except TypeError:  # not a sequence: a malformed file, nothing to descend into
            continue
    cache[path] = items
    return items


def _has(item: Dataset, keyword: str) -> bool:
    """``keyword in item`` through the cached tag (pydicom looks the keyword up each time)."""
    tag = keyword_tag(keyword)
    return tag is not None and tag in item


def _value(item: Dataset, keyword: str) -> Any:
    """The value of ``keyword`` in ``item`` (None: absent or undecodable).

    Called under :func:`check_iod_attributes`' warnings filter.
    """
    tag = keyword_tag(keyword)
    if tag is None or tag not in item:
        return None
    try:
        return item[tag].value
    except Exception:  # pydicom raises many kinds on malformed values
        return None


def _is_empty(item: Dataset, tag: int) -> bool:
    # get_item returns the raw element when it was not decoded yet: its length tells
    # emptiness without converting values (ContourData would cost seconds). Called
    # under check_iod_attributes' warnings filter.
    try:
        element = item.get_item(tag)
    except Exception:  # undecodable: present and not empty for our purpose
        return False
    if element is None:
        return True
    if isinstance(element, RawDataElement):
        # a deferred value (read with defer_size) is None but has its length
        return element.length == 0 or (element.value is None and not element.length)
    return bool(element.is_empty)


def _tally(cache: dict[tuple[str, ...], list[Dataset]], rule: AttributeRule, module: str,
           evidence: str | None) -> _Tally:
    tally = _Tally(rule, module, evidence)
    tag = rule.tag
    for item in _items_at(cache, rule.path):
        tally.items += 1
        if tag not in item:
            tally.missing += 1
        elif rule.attribute_type == "1" and _is_empty(item, tag):
            tally.empty += 1
    return tally


def _tally_findings(tally: _Tally, iod: str, needed: frozenset[str]) -> list[Finding]:
    rule = tally.rule
    attribute = ">".join((*rule.path, rule.keyword))
    where = "" if not rule.path else f" in {{n}} of {tally.items} {rule.path[-1]} items"
    if tally.evidence is not None:
        where += (f" (the {tally.module} module, not mandatory here, is present:"
                  f" {tally.evidence} is there)")
    out = []
    if rule.attribute_type == "1":
        severity = Severity.ERROR if rule.keyword in needed else Severity.WARNING
        assumption = ("none: the object cannot be used" if severity is Severity.ERROR
                      else "rtviewer does not use it and goes on")
        if tally.missing:
            out.append(Finding(
                "MISSING_TYPE1_ATTRIBUTE",
                f"{rule.keyword} (Type 1, {tally.module} module) is missing"
                f"{where.format(n=tally.missing)}.", severity, attribute, assumption))
        if tally.empty:
            out.append(Finding(
                "EMPTY_TYPE1_ATTRIBUTE",
                f"{rule.keyword} (Type 1, {tally.module} module) is present but empty"
                f"{where.format(n=tally.empty)}.", severity, attribute, assumption))
    elif tally.missing:
        out.append(Finding(
            "MISSING_TYPE2_ATTRIBUTE",
            f"{rule.keyword} (Type 2, {tally.module} module) is missing"
            f"{where.format(n=tally.missing)}; the standard requires it, empty if unknown.",
            Severity.INFO, attribute, "treated as unknown"))
    return out
