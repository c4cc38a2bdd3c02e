"""What an export must preserve, compared up to the UID map (shared by the export tests)."""

from __future__ import annotations

from pathlib import Path

import pydicom

from rtviewer.dicom.scan import scan


def mapped(uid: str, uid_map) -> str:
    """A reference UID through the map (a beam is ``<plan UID>#<number>``)."""
    head, sep, tail = uid.partition("#")
    return uid_map.get(head, head) + sep + tail


def reference_graph(folder: Path, name_of, uid_map=None) -> set[tuple]:
    """Every reference of every file: (file, kind, uid, resolved, target, counts).

    ``name_of`` maps a file path to the name both sides share (the exported file name);
    a series' or frame's target is "its first instance", which depends on file names,
    so only its resolution is compared.
    """
    graph = set()
    for inst in scan(folder, use_cache=False).instances():
        if name_of(inst.path) is None:
            continue
        for ref in inst.references:
            target = name_of(ref.path) if ref.path and ref.kind in (
                "rtplan", "rtstruct", "rtdose") else None
            uid = mapped(ref.uid, uid_map) if uid_map is not None else ref.uid
            graph.add((name_of(inst.path), ref.kind, uid, ref.resolved, target,
                       ref.referenced_instance_count, ref.missing_instance_count))
    return graph


def compare_graphs(source_root: Path, result) -> None:
    """The exported folder resolves exactly as the source did, up to the UID map."""
    by_source = {f.source: f.path.name for f in result.files}
    before = reference_graph(source_root, by_source.get, result.uid_map)
    after = reference_graph(result.out_dir, lambda p: p.name if p else None)
    assert before == after
    assert sum(1 for r in after if not r[3]) == sum(1 for r in before if not r[3])


def date_pairs(source: Path, exported: Path):
    """(keyword, source value, exported value) of every DA element but the birth date."""
    a = pydicom.dcmread(source, force=True, stop_before_pixels=True)
    b = pydicom.dcmread(exported, force=True, stop_before_pixels=True)
    out = []

    def walk(x, y):
        for elem in x:
            if elem.tag not in y:
                continue
            other = y[elem.tag]
            if elem.VR == "SQ":
                for i, j in zip(elem.value, other.value, strict=False):
                    walk(i, j)
            elif elem.keyword == "PatientBirthDate":
                assert not other.value  # Annex E: Z, emptied, never shifted
            elif elem.VR == "DA" and elem.value:
                out.append((elem.keyword, str(elem.value), str(other.value)))
    walk(a, b)
    return out
