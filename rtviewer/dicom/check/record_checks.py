"""Treatment records against their plan: delivered monitor units."""

from __future__ import annotations

from typing import Any

from rtviewer.dicom.check.collector import Collector
from rtviewer.dicom.check.objects import ObjectStore
from rtviewer.model.findings import Finding, Severity

__all__ = ["check_records", "MU_TOLERANCE"]

#: Relative deviation of delivered from planned meterset beyond which a beam is reported.
MU_TOLERANCE = 0.01


def check_records(store: ObjectStore, out: Collector) -> None:
    """Report beams whose delivered meterset differs from the plan's by more than 1 %.

    The planned meterset is the plan's Beam Meterset when the referenced plan is here,
    else the Specified Meterset the record itself carries.
    """
    for path, inst in store.instances.items():
        if inst.kind != "rtrecord":
            continue
        record = store.get(path)
        if record is None:
            continue
        plan_path = next((r.path for r in inst.references if r.kind == "rtplan" and r.resolved),
                         None)
        plan = store.get(plan_path)
        for beam in getattr(record, "beams", ()):
            planned, source = _planned(beam, plan)
            delivered = beam.delivered_meterset
            if planned is None or delivered is None or planned <= 0:
                continue
            deviation = delivered / planned - 1.0
            if abs(deviation) > MU_TOLERANCE:
                name = f" ('{beam.name}')" if beam.name else ""
                out.add(Finding(
                    "DELIVERED_MU_DEVIATION",
                    f"Beam {beam.referenced_beam_number}{name}: {delivered:.1f} MU delivered "
                    f"against {planned:.1f} MU {source} ({100 * deviation:+.1f} %).",
                    Severity.WARNING, "DeliveredMeterset",
                    "the delivered meterset is shown as recorded"),
                    inst.path, inst.sop_instance_uid)


def _planned(beam: Any, plan: Any) -> tuple[float | None, str]:
    if plan is not None and beam.referenced_beam_number is not None:
        for group in getattr(plan, "fraction_groups", ()):
            for ref in group.referenced_beams:
                if ref.beam_number == beam.referenced_beam_number and ref.meterset:
                    return float(ref.meterset), "planned"
    if beam.specified_meterset:
        return float(beam.specified_meterset), "specified in the record"
    return None, ""
