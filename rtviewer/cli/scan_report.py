"""Render a :class:`~rtviewer.model.index.ScanResult` as the ``scan --json`` document or a tree."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rtviewer.model.findings import Finding
from rtviewer.model.index import Instance, Reference, ScanResult, Series
from rtviewer.model.kind import Kind
from rtviewer.printable import printable_row

__all__ = ["to_json_document", "format_tree"]


def _rel(path: Path | None, root: Path) -> str | None:
    if path is None:
        return None
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _warnings(findings: tuple[Finding, ...]) -> list[dict[str, Any]]:
    return [{"code": f.code, "message": f.message, "severity": f.severity.value}
            for f in findings]


def _reference(ref: Reference, root: Path) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": ref.kind, "uid": ref.uid, "resolved": ref.resolved,
                           "path": _rel(ref.path, root)}
    if ref.kind == "image_series":
        out["referenced_instance_count"] = ref.referenced_instance_count
        out["missing_instance_count"] = ref.missing_instance_count
    return out


def _instance(inst: Instance, root: Path) -> dict[str, Any]:
    refs = sorted((_reference(r, root) for r in inst.references),
                  key=lambda r: (r["kind"], r["uid"]))
    return {
        "path": _rel(inst.path, root), "sop_class_uid": inst.sop_class_uid,
        "sop_class_name": inst.sop_class_name, "sop_instance_uid": inst.sop_instance_uid,
        "kind": inst.kind, "modality": inst.modality, "summary": inst.summary,
        "warnings": _warnings(inst.findings), "references": refs,
    }


def _series(series: Series, root: Path) -> dict[str, Any]:
    instances = sorted((_instance(i, root) for i in series.instances), key=lambda i: i["path"])
    return {
        "series_instance_uid": series.series_instance_uid,
        "volume_index": series.volume_index, "modality": series.modality,
        "series_number": series.series_number,
        "series_description": series.series_description,
        "frame_of_reference_uid": series.frame_of_reference_uid,
        "instance_count": len(instances), "warnings": _warnings(series.findings),
        "instances": instances,
    }


def to_json_document(result: ScanResult) -> dict[str, Any]:
    """The ``rtviewer scan --json`` document: paths POSIX and relative to ``root``."""
    root = result.root
    return {
        "root": str(root),
        "cancelled": result.cancelled,
        "patients": [{
            "patient_id": p.patient_id, "patient_name": p.patient_name,
            "studies": [{
                "study_instance_uid": st.study_instance_uid,
                "study_description": st.study_description, "study_date": st.study_date,
                "series": [_series(se, root) for se in st.series],
            } for st in p.studies],
        } for p in result.patients],
        "skipped": [{"path": _rel(s.path, root), "reason": s.reason} for s in result.skipped],
        "problems": [{"path": _rel(s.path, root), "reason": s.reason} for s in result.problems],
    }


def _ref_line(ref: Reference, root: Path) -> str:
    if not ref.resolved:
        text = f"-> {ref.kind} {ref.uid}: MISSING"
    else:
        text = f"-> {ref.kind} {ref.uid}: {_rel(ref.path, root)}"
    if ref.kind == "image_series" and ref.referenced_instance_count:
        text += (f" ({ref.missing_instance_count} of {ref.referenced_instance_count} "
                 "referenced images missing)")
    return text


def _instance_lines(inst: Instance, root: Path, indent: str) -> list[str]:
    lines = [f"{indent}{_rel(inst.path, root)}: {inst.summary or inst.sop_class_name}"]
    lines += [f"{indent}  {_ref_line(r, root)}" for r in inst.references]
    lines += [f"{indent}  ! {f.code}: {f.message}" for f in inst.findings]
    return lines


def _series_lines(se: Series, root: Path) -> list[str]:
    volume = f" volume {se.volume_index}" if se.volume_index or se.findings else ""
    desc = f" '{se.series_description}'" if se.series_description else ""
    lines = [f"    {se.modality or '?'} series{desc}{volume} ({se.instance_count} "
             f"instance{'s' if se.instance_count != 1 else ''}) {se.series_instance_uid}"]
    lines += [f"      ! {f.code}: {f.message}" for f in se.findings]
    images = [i for i in se.instances if i.kind == Kind.IMAGE]
    if len(images) > 3 and not any(i.references or i.findings for i in images):
        first = images[0]
        lines.append(f"      {_rel(first.path.parent, root)}/ ... {len(images)} images, "
                     f"{first.summary or first.sop_class_name}")
        rest = [i for i in se.instances if i.kind != Kind.IMAGE]
    else:
        rest = list(se.instances)
    for inst in sorted(rest, key=lambda i: str(i.path)):
        lines += _instance_lines(inst, root, "      ")
    return lines


def format_tree(result: ScanResult) -> str:
    """A readable patient → study → series → instance tree, then skipped files and problems."""
    root = result.root
    lines = [f"{root}"]
    for p in result.patients:
        lines.append(f"Patient {p.patient_id or '(no ID)'} {p.patient_name or '(no name)'}")
        for st in p.studies:
            desc = f" '{st.study_description}'" if st.study_description else ""
            lines.append(f"  Study{desc} {st.study_instance_uid or '(no UID)'}")
            for se in st.series:
                lines += _series_lines(se, root)
    lines.append(f"Skipped ({len(result.skipped)}):")
    lines += [f"  {_rel(s.path, root)}: {s.reason}" for s in result.skipped]
    lines.append(f"Problems ({len(result.problems)}):")
    lines += [f"  {_rel(s.path, root)}: {s.reason}" for s in result.problems]
    if result.cancelled:
        lines.append("The scan was cancelled: this list is incomplete.")
    return "\n".join(printable_row(lines))  # one entry per line; names come from files
