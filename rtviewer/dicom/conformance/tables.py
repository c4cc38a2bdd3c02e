"""The standard's IOD, module and attribute tables, as shipped by highdicom.

highdicom (MIT) distributes PS3.3's tables, generated from the standard's own
XML, as JSON files in its private ``_standard`` folder. We read those files
directly (without importing highdicom, which is slow to import) rather than
typing a partial copy of PS3.3 by hand. Because the folder is private, the
version is pinned in ``pyproject.toml`` and ``tests/dicom/test_conformance_tables.py``
fails when a new version changes the layout.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from pydicom.datadict import tag_for_keyword

__all__ = [
    "AttributeRule",
    "ModuleRule",
    "MAX_SEQUENCE_DEPTH",
    "iod_name_for_sop_class",
    "module_rules_for_iod",
    "standard_tables_folder",
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


def standard_tables_folder() -> Path:
    """Return the folder holding highdicom's JSON copies of the standard's tables.

    Raises
    ------
    FileNotFoundError
        highdicom is not installed or no longer ships the folder.
    """
    spec = importlib.util.find_spec("highdicom")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("highdicom is not installed: the standard's tables are missing")
    folder = Path(next(iter(spec.submodule_search_locations))) / "_standard"
    if not folder.is_dir():
        raise FileNotFoundError(f"highdicom no longer ships the standard's tables in {folder}")
    return folder


@lru_cache(maxsize=4)
def _load(name: str) -> dict:
    with open(standard_tables_folder() / name, encoding="utf-8") as fh:
        data: dict = json.load(fh)
    return data


def iod_name_for_sop_class(sop_class_uid: str) -> str | None:
    """Return highdicom's IOD key (e.g. ``"rt-plan"``) for a SOP Class UID, or None."""
    value = _load("sop_class_iod_map.json").get(str(sop_class_uid))
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
    modules = _load("iod_module_map.json").get(iod_name, [])
    attributes = _load("module_attribute_map.json")
    result = []
    for entry in modules:
        key = entry["key"]
        rows = attributes.get(key, [])
        # Repeating-group keywords (overlays, curves: 60xx) have no single tag in
        # pydicom's dictionary and are skipped; rtviewer reads none of them.
        known = [row for row in rows if _known(row["keyword"], row["path"])]
        rules = tuple(
            AttributeRule(row["keyword"], row["type"], tuple(row["path"]))
            for row in known
            if row["type"] in ("1", "2") and len(row["path"]) <= MAX_SEQUENCE_DEPTH
        )
        top = frozenset(row["keyword"] for row in known if not row["path"])
        result.append(ModuleRule(key, entry["usage"], rules, top))
    return tuple(result)


def _known(keyword: str, path: list[str]) -> bool:
    return all(tag_for_keyword(k) is not None for k in (*path, keyword))


@cache
def _tag(keyword: str) -> int:
    tag = tag_for_keyword(keyword)
    if tag is None:
        raise KeyError(keyword)
    return int(tag)
