"""Whether the patient on screen has something to compare with (the Compare tab's offer)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rtviewer.model.index import Instance
from rtviewer.model.kind import Kind

__all__ = ["has_compare_candidates"]


def has_compare_candidates(instances: Sequence[Instance], scene: Any) -> bool:
    """True when ``instances`` hold an RT Dose or a structure set other than ``scene``'s.

    ``scene`` is the :class:`~rtviewer.view.scene.Scene` on screen: its dose is A, and
    its structure set is the one another set would be compared with.
    """
    shown_dose = scene.dose.path if scene.dose is not None else None
    shown_rs = scene.structures.path if scene.structures is not None else None
    return any((inst.kind == Kind.DOSE and inst.path != shown_dose)
               or (inst.kind == Kind.STRUCTURE_SET and inst.path != shown_rs)
               for inst in instances)
