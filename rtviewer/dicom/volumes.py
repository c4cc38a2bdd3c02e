"""Split the instances of one Series Instance UID into volumes.

Single-frame images sharing a Series Instance UID belong to different volumes when
Image Orientation, Pixel Spacing, Rows/Columns or Slice Thickness differ, or when two
of them share an Image Position (the Nelms 2 mm and 3 mm CT differ only in Slice
Thickness; some MR series mix orientations). Multi-frame and RT objects are never split.
"""

from __future__ import annotations

import functools
from typing import Any

from rtviewer.dicom.sop_classes import lookup
from rtviewer.model.findings import Finding
from rtviewer.model.kind import Kind

__all__ = ["split_volumes"]

Record = dict[str, Any]
#: Rounding that decides "same" geometry: direction cosines, mm.
_COSINE_DECIMALS = 4
_MM_DECIMALS = 3


def _rounded(values: list[float] | None, decimals: int) -> tuple[float, ...] | None:
    if values is None:
        return None
    return _round_tuple(tuple(values), decimals)


@functools.lru_cache(maxsize=4096)
def _round_tuple(values: tuple[float, ...], decimals: int) -> tuple[float, ...]:
    """Cached: a series repeats one orientation and spacing on every slice."""
    return tuple(round(float(v), decimals) + 0.0 for v in values)


def _geometry_key(rec: Record) -> tuple[Any, ...]:
    thickness = rec.get("slice_thickness")
    return (
        _rounded(rec.get("orientation"), _COSINE_DECIMALS),
        _rounded(rec.get("pixel_spacing"), _MM_DECIMALS),
        rec.get("rows"), rec.get("columns"),
        None if thickness is None else round(float(thickness), _MM_DECIMALS),
    )


def _splittable(rec: Record) -> bool:
    sop = lookup(rec["sop_class_uid"])
    return sop.kind == Kind.IMAGE and not sop.multiframe and (rec.get("frames") or 1) <= 1


def _split_positions(paths: list[str], records: dict[str, Record]) -> list[list[str]]:
    """Greedy: each slice joins the first volume that has no slice at its position."""
    volumes: list[tuple[set[Any], list[str]]] = []
    ordered = sorted(paths, key=lambda p: (records[p].get("instance_number") or 0, p))
    for path in ordered:
        position = _rounded(records[path].get("position"), _MM_DECIMALS)
        for taken, members in volumes:
            if position is None or position not in taken:
                taken.add(position)
                members.append(path)
                break
        else:
            volumes.append(({position}, [path]))
    return [sorted(members) for _taken, members in volumes]


def _differences(keys: list[tuple[Any, ...]]) -> list[str]:
    names = ("Image Orientation", "Pixel Spacing", "Rows", "Columns", "Slice Thickness")
    return [name for i, name in enumerate(names) if len({k[i] for k in keys}) > 1]


def split_volumes(paths: list[str], records: dict[str, Record]
                  ) -> list[tuple[list[str], list[Finding]]]:
    """Split the files of one series into volumes.

    Parameters
    ----------
    paths : list of str
        Files sharing one Series Instance UID (within one patient and study).
    records : dict
        path -> instance record.

    Returns
    -------
    list of (paths, findings)
        One entry per volume, in a stable order (geometry, then first path); the
        findings explain a split.
    """
    plain = [p for p in paths if _splittable(records[p])]
    plain_set = set(plain)
    others = sorted(p for p in paths if p not in plain_set)
    groups: dict[tuple[Any, ...], list[str]] = {}
    for path in sorted(plain):
        groups.setdefault(_geometry_key(records[path]), []).append(path)
    volumes: list[list[str]] = []
    for key in sorted(groups, key=lambda k: (repr(k), groups[k][0])):
        volumes.extend(_split_positions(groups[key], records))
    if others:
        volumes.append(others)
    if len(volumes) <= 1:
        return [(v, []) for v in volumes]
    reasons = _differences(list(groups))
    if any(len(v) < len(groups[_geometry_key(records[v[0]])]) for v in volumes
           if v and v[0] in plain_set):
        reasons.append("repeated Image Position")
    message = (f"One Series Instance UID holds {len(volumes)} volumes"
               f" (they differ in {', '.join(reasons) or 'object type'}); shown separately.")
    finding = Finding("SERIES_SPLIT", message, attribute="SeriesInstanceUID")
    return [(v, [finding]) for v in volumes]
