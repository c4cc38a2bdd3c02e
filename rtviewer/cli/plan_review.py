"""The ``--plan-review`` stage of ``rtviewer check``: the plan checks on the objects read."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from rtviewer.dicom.check.collector import Collector
from rtviewer.dicom.check.objects import ObjectStore
from rtviewer.dicom.check.plan_cases import plan_cases
from rtviewer.dicom.goal_file import read_goal_set, shipped_goal_sets
from rtviewer.errors import RtViewerError
from rtviewer.model.goals import GoalSet
from rtviewer.review import PlanFinding, load_profile, review_plan

__all__ = ["PlanReviewStage"]


class PlanReviewStage:
    """Review every plan of the store; keep the detailed findings for the JSON document.

    Parameters
    ----------
    profile_path : str or None
        A YAML profile overriding the default limits (read at once: a bad file is a
        usage error before the scan starts).
    goals : str or None
        A goal file or the name of a shipped goal set: the structures the dose grid must
        cover (read at once, like the profile).
    """

    def __init__(self, profile_path: str | None, goals: str | None = None) -> None:
        self.profile = load_profile(profile_path)
        self.goals = _goal_set(goals) if goals else None
        self.results: list[tuple[Path, str | None, tuple[PlanFinding, ...]]] = []

    def __call__(self, store: ObjectStore, out: Collector) -> None:
        """Add each plan's findings to the report, located at the plan's file."""
        for path, case in plan_cases(store):
            case = replace(case, goals=self.goals)
            found = review_plan(case, self.profile)
            self.results.append((path, case.plan.sop_instance_uid, found))
            for finding in found:
                out.add(finding.as_finding(), path, case.plan.sop_instance_uid,
                        severity=finding.severity)

    def to_json(self, root: Path) -> dict[str, object]:
        """The ``plan_review`` member: profile source and each plan's detailed findings."""
        def relative(path: Path) -> str:
            try:
                return path.relative_to(root).as_posix()
            except ValueError:
                return path.as_posix()
        return {"profile": self.profile.source,
                "goals": None if self.goals is None else self.goals.name,
                "plans": [{"path": relative(path), "sop_instance_uid": uid,
                           "findings": [f.to_json() for f in found]}
                          for path, uid, found in self.results]}


def _goal_set(given: str) -> GoalSet:
    """The goal set of ``--goals``: a file, else a shipped set's name."""
    shipped = shipped_goal_sets()
    if not Path(given).exists() and given in shipped:
        return read_goal_set(shipped[given])
    if not Path(given).exists():
        raise RtViewerError(f"--goals {given}: no such file, and no shipped goal set of that "
                            f"name ({', '.join(sorted(shipped))})")
    return read_goal_set(given)
