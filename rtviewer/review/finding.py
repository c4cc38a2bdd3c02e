"""A plan-review finding: a stable code, a severity, the objects and numbers involved."""

from __future__ import annotations

from dataclasses import dataclass, field

from rtviewer.model.findings import Finding, Severity

__all__ = ["PlanFinding"]


@dataclass(frozen=True)
class PlanFinding:
    """One result of a plan check.

    Parameters
    ----------
    code : str
        Stable UPPER_SNAKE code (see :data:`rtviewer.review.CHECK_CODES`).
    severity : Severity
    message : str
        One line a physicist understands, naming the objects and numbers.
    objects : tuple of str
        The objects concerned: ``"ROI:PTV"``, ``"BEAM:Arc 1"``, ``"PLAN"``, ``"DOSE"``.
    values : dict of str to float
        The numbers involved, named with their unit (``"distance_mm"``, ``"mu"``).
    location_mm : tuple of float or None
        A patient ``(x, y, z)`` mm point to centre the views on (the hot spot, the
        offending structure's slice, the colliding beam's isocentre).
    """

    code: str
    severity: Severity
    message: str
    objects: tuple[str, ...] = ()
    values: dict[str, float] = field(default_factory=dict)
    location_mm: tuple[float, float, float] | None = None

    def to_json(self) -> dict[str, object]:
        """Return the finding as a JSON object (``rtviewer check --plan-review --json``)."""
        return {"code": self.code, "severity": self.severity.value, "message": self.message,
                "objects": list(self.objects),
                "values": {k: round(v, 4) for k, v in self.values.items()},
                "location_mm": (None if self.location_mm is None
                                else [round(v, 2) for v in self.location_mm])}

    def as_finding(self) -> Finding:
        """The plain finding of ``rtviewer check``'s report (the objects in the attribute)."""
        return Finding(self.code, self.message, self.severity,
                       attribute=", ".join(self.objects) or None)
