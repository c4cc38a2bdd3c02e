"""Which scanned files an export takes: the seeds and every object their chain needs."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rtviewer.model.index import Instance, ScanResult
from rtviewer.model.kind import Kind

__all__ = ["select_chain"]

#: Kinds pulled in backwards from a selected plan: they hang off it (dose → plan,
#: record → plan, RT Image → plan), so a plan's chain without them would be incomplete.
_DEPENDANTS = frozenset({Kind.DOSE, Kind.RECORD, Kind.RT_IMAGE})
_FORWARD = frozenset({"rtplan", "rtstruct", "rtdose", "image_series"})


def _by_series(scan: ScanResult) -> dict[str, list[Instance]]:
    out: dict[str, list[Instance]] = {}
    for p in scan.patients:
        for st in p.studies:
            for se in st.series:
                if se.series_instance_uid:
                    out.setdefault(se.series_instance_uid, []).extend(se.instances)
    return out


def _forward(inst: Instance, by_path: dict[Path, Instance],
             by_series: dict[str, list[Instance]]) -> list[Instance]:
    found: list[Instance] = []
    for ref in inst.references:
        if not ref.resolved or ref.kind not in _FORWARD:
            continue
        if ref.kind == "image_series":
            found.extend(by_series.get(ref.uid, ()))
        elif ref.path is not None and ref.path in by_path:
            found.append(by_path[ref.path])
    return found


def _dependants(scan: ScanResult, plans: set[Path]) -> list[Instance]:
    return [inst for inst in scan.instances() if inst.kind in _DEPENDANTS and any(
        r.kind == "rtplan" and r.path in plans for r in inst.references)]


def select_chain(scan: ScanResult, seeds: Iterable[Path]) -> list[Instance]:
    """The seed files and everything their chains reference, in tree order.

    Forward: plan → structure set → image series, dose → plan, and so on, following
    the scan's resolved references. Backward: the doses, records and RT Images that
    reference a selected plan. Frame of Reference links are not followed (they would
    pull in every series sharing the patient's frame).

    Parameters
    ----------
    scan : ScanResult
        The scan of a folder holding the seeds.
    seeds : iterable of Path
        Absolute paths of scanned files.

    Returns
    -------
    list of Instance
        Each file once, in the scan's tree order.
    """
    by_path = {inst.path: inst for inst in scan.instances()}
    by_series = _by_series(scan)
    chosen: set[Path] = set()
    todo = [by_path[p] for p in seeds if p in by_path]
    while todo:
        inst = todo.pop()
        if inst.path in chosen:
            continue
        chosen.add(inst.path)
        todo.extend(_forward(inst, by_path, by_series))
        if inst.kind.is_plan:
            todo.extend(_dependants(scan, {inst.path}))
    chosen |= _frames_kept(scan, chosen, by_path)
    return [inst for inst in scan.instances() if inst.path in chosen]


def _frames_kept(scan: ScanResult, chosen: set[Path],
                 by_path: dict[Path, Instance]) -> set[Path]:
    """The series that resolve a Frame of Reference no chosen file carries.

    A Frame of Reference reference resolved in the source must not become a missing one
    in the export; the series the scan resolved it to comes along.
    """
    frames = {by_path[p].frame_of_reference_uid for p in chosen}
    extra: set[Path] = set()
    for path in list(chosen):
        for ref in by_path[path].references:
            if ref.kind == "frame_of_reference" and ref.resolved and ref.uid not in frames \
                    and ref.path is not None:
                extra |= _series_of(scan, ref.path)
                frames.add(ref.uid)
    return extra


def _series_of(scan: ScanResult, path: Path) -> set[Path]:
    for p in scan.patients:
        for st in p.studies:
            for se in st.series:
                if any(i.path == path for i in se.instances):
                    return {i.path for i in se.instances}
    return {path}
