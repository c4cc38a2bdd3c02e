"""Treatment records against their plan: delivered monitor units per fraction."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rtviewer.dicom.check.collector import Collector
from rtviewer.dicom.check.objects import ObjectStore
from rtviewer.model.findings import Finding, Severity
from rtviewer.model.kind import Kind

__all__ = ["check_records", "MU_TOLERANCE"]

#: Relative deviation of delivered from planned meterset beyond which a beam is reported.
MU_TOLERANCE = 0.01


@dataclass
class _Delivery:
    """One beam of one fraction, possibly delivered over several sessions (continuations)."""

    name: str | None = None
    planned: float | None = None
    source: str = ""
    delivered: float = 0.0
    records: list[tuple[Path, str | None]] = field(default_factory=list)


def check_records(store: ObjectStore, out: Collector) -> None:
    """Report beams whose delivered meterset differs from the plan's by more than 1 %.

    A beam interrupted in one session and completed in a continuation session of
    the same fraction is judged on the sum of both. The planned meterset is the
    plan's Beam Meterset when the referenced plan is here, else the Specified
    Meterset the record itself carries.
    """
    deliveries: dict[tuple[Any, ...], _Delivery] = defaultdict(_Delivery)
    for path, inst in store.instances.items():
        if inst.kind != Kind.RECORD:
            continue
        record = store.get(path)
        if record is None:
            continue
        plan_path = next((r.path for r in inst.references if r.kind == "rtplan" and r.resolved),
                         None)
        plan = store.get(plan_path)
        for beam in getattr(record, "beams", ()):
            if beam.delivered_meterset is None:
                continue
            key = (getattr(record, "referenced_plan_uid", None), plan_path,
                   beam.current_fraction_number, beam.referenced_beam_number)
            delivery = deliveries[key]
            delivery.name = beam.name
            delivery.delivered += float(beam.delivered_meterset)
            delivery.records.append((inst.path, inst.sop_instance_uid))
            if delivery.planned is None:
                delivery.planned, delivery.source = _planned(beam, plan)
    for (_, _, fraction, number), delivery in deliveries.items():
        _report(delivery, fraction, number, out)


def _report(delivery: _Delivery, fraction: int | None, number: int | None,
            out: Collector) -> None:
    if not delivery.planned or delivery.planned <= 0:
        return
    deviation = delivery.delivered / delivery.planned - 1.0
    if abs(deviation) <= MU_TOLERANCE:
        return
    name = f" ('{delivery.name}')" if delivery.name else ""
    sessions = (f" over {len(delivery.records)} sessions" if len(delivery.records) > 1
                else "")
    where = f" in fraction {fraction}" if fraction is not None else ""
    path, uid = delivery.records[-1]
    out.add(Finding(
        "DELIVERED_MU_DEVIATION",
        f"Beam {number}{name}{where}: {delivery.delivered:.1f} MU delivered{sessions} "
        f"against {delivery.planned:.1f} MU {delivery.source} ({100 * deviation:+.1f} %).",
        Severity.WARNING, "DeliveredMeterset", "the delivered meterset is shown as recorded"),
        path, uid)


def _planned(beam: Any, plan: Any) -> tuple[float | None, str]:
    if plan is not None and beam.referenced_beam_number is not None:
        for group in getattr(plan, "fraction_groups", ()):
            for ref in group.referenced_beams:
                if ref.beam_number == beam.referenced_beam_number and ref.meterset:
                    return float(ref.meterset), "planned"
    if beam.specified_meterset:
        return float(beam.specified_meterset), "specified in the record"
    return None, ""
