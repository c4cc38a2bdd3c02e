"""What every check reads: the case, the profile, and the derived facts computed once."""

from __future__ import annotations

from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from rtviewer.model.plan_case import PlanCase
from rtviewer.model.structure import Roi
from rtviewer.model.structure_names import find_roi
from rtviewer.review.geometry import roi_mask
from rtviewer.review.names import is_body, is_couch, is_target
from rtviewer.review.profile import Profile

__all__ = ["ReviewContext"]

_SRS_WORDS = ("SRS", "SBRT", "SRT", "SABR", "RADIOSURG", "STEREOTAC")


class ReviewContext:
    """A plan case under review with its profile; caches masks on the dose grid.

    Parameters
    ----------
    case : PlanCase
    profile : Profile
    """

    def __init__(self, case: PlanCase, profile: Profile) -> None:
        self.case = case
        self.plan = case.plan
        self.profile = profile
        self._masks: dict[int, NDArray[np.bool_] | None] = {}

    @cached_property
    def rois(self) -> tuple[Roi, ...]:
        """The ROIs of the plan's structure set (none without one)."""
        return self.case.structure_set.rois if self.case.structure_set else ()

    @cached_property
    def targets(self) -> tuple[Roi, ...]:
        """Targets with contours."""
        return tuple(r for r in self.rois if is_target(r) and r.closed_polygons_mm())

    @cached_property
    def body(self) -> Roi | None:
        """The external contour, when there is exactly one named so (the first otherwise)."""
        names = self.profile.value("structures", "body_names")
        bodies = [r for r in self.rois if is_body(r, names) and r.closed_polygons_mm()]
        return bodies[0] if bodies else None

    @cached_property
    def couch(self) -> tuple[Roi, ...]:
        """Couch structures with contours."""
        prefixes = self.profile.value("structures", "couch_prefixes")
        return tuple(r for r in self.rois if is_couch(r, prefixes) and r.closed_polygons_mm())

    @cached_property
    def prescription_gy(self) -> float | None:
        """The plan's prescription dose (Gy), as the plan reader resolved it."""
        dose = self.plan.prescription.dose_gy
        return dose if dose is not None and dose > 0 else None

    @cached_property
    def fractions(self) -> int | None:
        """Fractions planned of the first fraction group."""
        groups = self.plan.fraction_groups
        return groups[0].fractions_planned if groups else None

    @cached_property
    def is_srs(self) -> bool:
        """SRS/SBRT: the plan's words say so, or its dose per fraction is high."""
        words = " ".join(filter(None, (self.plan.label, self.plan.name, self.plan.description,
                                       self.plan.intent))).upper()
        if any(w in words for w in _SRS_WORDS):
            return True
        rx, n = self.prescription_gy, self.fractions
        limit = self.profile.number("srs", "min_dose_per_fraction_gy")
        return rx is not None and n is not None and n > 0 and rx / n >= limit

    @cached_property
    def goal_roi_names(self) -> frozenset[str] | None:
        """Names of the structures the case's goal set names (None without a goal set)."""
        goals = self.case.goals
        if goals is None:
            return None
        names = [r.name for r in self.rois]
        table = dict(goals.synonyms)
        found = {find_roi(g.structure, names, table) for g in goals.goals}
        return frozenset(f.roi_name for f in found if f is not None)

    def mask(self, roi: Roi) -> NDArray[np.bool_] | None:
        """The ROI's voxels on the dose grid (None without a dose or a volume)."""
        if self.case.dose is None:
            return None
        key = id(roi)
        if key not in self._masks:
            self._masks[key] = roi_mask(roi, self.case.dose.grid)
        return self._masks[key]
