"""Wedge checks (MPPG 11.a Table 8: wedges and their orientation; dynamic wedge MU).

Wedge Orientation (300A,00D8) is the angle of the IEC WEDGE FILTER system in the IEC
BEAM LIMITING DEVICE system: a wedge slides into the head along one of the collimator
axes, so only the profile's orientations (0, 90, 180, 270° by default) can be delivered.
A dynamic (Varian EDW, Siemens virtual) or motorized wedge delivers its gradient by a
moving jaw or a wedge inserted for part of the MU, and below a minimum MU the gradient
is not formed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from rtviewer.model.beam import Beam, Wedge
from rtviewer.model.findings import Severity
from rtviewer.review.context import ReviewContext
from rtviewer.review.finding import PlanFinding

__all__ = ["check_wedges", "is_dynamic_wedge", "angular_distance_deg"]

_DYNAMIC_ID = re.compile(r"EDW|\bVW|VIRTUAL|DYNAMIC", re.IGNORECASE)


def angular_distance_deg(a: float, b: float) -> float:
    """The smaller angle between two directions given in degrees (0-180)."""
    d = abs(a - b) % 360.0
    return min(d, 360.0 - d)


def is_dynamic_wedge(wedge: Wedge) -> bool:
    """DYNAMIC or MOTORIZED Wedge Type, or an ID that names one (EDW, VW, virtual)."""
    kind = (wedge.wedge_type or "").upper()
    return kind in ("DYNAMIC", "MOTORIZED") or bool(_DYNAMIC_ID.search(wedge.wedge_id or ""))


def check_wedges(ctx: ReviewContext, beam: Beam) -> Iterator[PlanFinding]:
    """Each wedge's orientation, and the MU of a beam with a dynamic wedge."""
    allowed = [float(a) for a in ctx.profile.value("beams", "wedge_orientations_deg") or ()]
    tolerance = ctx.profile.number("beams", "wedge_orientation_tolerance_deg")
    label = f"BEAM:{beam.name or beam.number}"
    name = beam.name or beam.number
    for wedge in beam.wedges:
        what = f"wedge {wedge.wedge_id or wedge.number!r}"
        angle = wedge.orientation_deg
        if angle is None:
            yield PlanFinding("BEAM_WEDGE_ORIENTATION", Severity.ERROR,
                              f"Beam {name!r}: {what} has no Wedge Orientation.", (label,))
        elif allowed and min(angular_distance_deg(angle, a) for a in allowed) > tolerance:
            yield PlanFinding("BEAM_WEDGE_ORIENTATION", Severity.ERROR,
                              f"Beam {name!r}: {what} is oriented at {angle:g}°, which the "
                              f"machine cannot deliver (allowed "
                              f"{', '.join(f'{a:g}' for a in allowed)}°).", (label,),
                              {"orientation_deg": angle})
    mu = beam.meterset
    dynamic = [w for w in beam.wedges if is_dynamic_wedge(w)]
    minimum = ctx.profile.number("beams", "wedge_dynamic_min_mu")
    if dynamic and mu is not None and mu < minimum:
        yield PlanFinding("BEAM_WEDGE_MU", Severity.WARNING,
                          f"Beam {name!r} has a dynamic wedge "
                          f"({dynamic[0].wedge_id or dynamic[0].wedge_type}) and {mu:.1f} MU "
                          f"(minimum {minimum:g}).", (label,), {"mu": mu})
