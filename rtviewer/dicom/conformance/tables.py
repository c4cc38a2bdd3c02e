"""The standard's IOD, module and attribute tables (DICOM PS3.3), as package data.

``standard_tables.json`` beside this module is generated at build time by
``scripts/make_standard_tables.py`` from the JSON copies of PS3.3's tables that the
highdicom wheel (MIT) publishes, rather than a partial copy of PS3.3 typed by hand;
it keeps only what the checks below read. ``tests/test_standard_tables.py`` fails
when the file and the script's output differ. highdicom is not a runtime dependency.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from pydicom.datadict import tag_for_keyword
from pydicom.tag import BaseTag

__all__ = [
    "AttributeRule",
    "ModuleRule",
    "MAX_SEQUENCE_DEPTH",
    "iod_name_for_sop_class",
    "keyword_tag",
    "module_rules_for_iod",
    "standard_tables",
]

#: Nested sequences are checked to this depth (a top-level attribute has depth 0;
#: ``BeamSequence > ControlPointSequence > BeamLimitingDevicePositionSequence >
#: LeafJawPositions`` has depth 3). Deeper levels are macros (codes of codes) that
#: matter to no review.
MAX_SEQUENCE_DEPTH = 3


@dataclass(frozen=True)
class AttributeRule:
    """One Type 1 or Type 2 attribute of a module.

    Parameters
    ----------
    keyword : str
        The attribute's DICOM keyword.
    attribute_type : str
        ``"1"`` (present and not empty) or ``"2"`` (present, may be empty).
    path : tuple of str
        Keywords of the enclosing sequences, outermost first (empty at top level).
    """

    keyword: str
    attribute_type: str
    path: tuple[str, ...]

    @property
    def tag(self) -> int:
        """The attribute's tag as an int."""
        return _tag(self.keyword)


@dataclass(frozen=True)
class ModuleRule:
    """A module of an IOD with its usage and the attributes we check.

    Parameters
    ----------
    module : str
        highdicom's module key, e.g. ``"rt-dose"``.
    usage : str
        ``"M"`` mandatory, ``"C"`` conditional, ``"U"`` user option (PS3.3 usage letters).
    rules : tuple of AttributeRule
        Its Type 1 and Type 2 attributes up to :data:`MAX_SEQUENCE_DEPTH`.
    top_level_keywords : frozenset of str
        Every top-level keyword of the module, whatever its type.
    """

    module: str
    usage: str
    rules: tuple[AttributeRule, ...]
    top_level_keywords: frozenset[str]


@cache
def standard_tables() -> dict[str, Any]:
    """The generated tables: ``sop_class_iod``, ``iod_modules``, ``module_attributes``.

    ``iod_modules`` maps an IOD key to ``[module key, usage]`` pairs in the standard's
    order; ``module_attributes`` maps a module key to ``[keyword, type, path]`` rows.
    """
    text = resources.files(__package__).joinpath("standard_tables.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def iod_name_for_sop_class(sop_class_uid: str) -> str | None:
    """Return highdicom's IOD key (e.g. ``"rt-plan"``) for a SOP Class UID, or None."""
    value = standard_tables()["sop_class_iod"].get(str(sop_class_uid))
    return None if value is None else str(value)


@lru_cache(maxsize=64)
def module_rules_for_iod(iod_name: str) -> tuple[ModuleRule, ...]:
    """Return the modules of an IOD with their Type 1/2 attributes.

    Parameters
    ----------
    iod_name : str
        highdicom's IOD key, e.g. ``"rt-structure-set"``.

    Returns
    -------
    tuple of ModuleRule
        In the standard's order; empty when the IOD is unknown.
    """
    tables = standard_tables()
    result = []
    for key, usage in tables["iod_modules"].get(iod_name, []):
        rows = tables["module_attributes"].get(key, [])
        # Repeating-group keywords (overlays, curves: 60xx) have no single tag in
        # pydicom's dictionary and are skipped; rtviewer reads none of them.
        known = [(kw, kind, path) for kw, kind, path in rows if _known(kw, path)]
        rules = tuple(
            AttributeRule(kw, kind, tuple(path))
            for kw, kind, path in known
            if kind in ("1", "2") and len(path) <= MAX_SEQUENCE_DEPTH
        )
        top = frozenset(kw for kw, _kind, path in known if not path)
        result.append(ModuleRule(key, usage, rules, top))
    return tuple(result)


def _known(keyword: str, path: list[str]) -> bool:
    return all(tag_for_keyword(k) is not None for k in (*path, keyword))


def _tag(keyword: str) -> int:
    tag = keyword_tag(keyword)
    if tag is None:
        raise KeyError(keyword)
    return tag


@cache
def keyword_tag(keyword: str) -> BaseTag | None:
    """The tag of a DICOM keyword (None if the dictionary has none), looked up once.

    A :class:`~pydicom.tag.BaseTag`: ``tag in dataset`` then skips pydicom's keyword
    lookup and tag conversion, which were a third of checking a folder's files
    against their IODs.
    """
    tag = tag_for_keyword(keyword)
    return None if tag is None else BaseTag(tag)
