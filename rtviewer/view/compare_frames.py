"""Whether dose B (or a structure set) can be shown on A's Frame of Reference, and how.

Same frame: as stored.  Another frame: only through a rigid Spatial Registration (REG)
found beside the data that connects both frames; without one the comparison is refused
and the reason says what is missing.  A Deformable Spatial Registration is out of
scope, and when that is all there is, the refusal says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from rtviewer.model.registration import SpatialRegistration

__all__ = ["FrameRoute", "frame_route", "matrix_text"]


@dataclass(frozen=True, eq=False)
class FrameRoute:
    """How B reaches A's frame.

    Attributes
    ----------
    matrix : (4, 4) float64 ndarray or None
        Maps B's patient mm into A's; None when both share a frame (or the refusal).
    registration : SpatialRegistration or None
        The REG the matrix comes from.
    refusal : str or None
        Why B cannot be compared with A (then nothing else is set).
    note : str
        One sentence for the panel: same frame, or moved by which REG and matrix.
    """

    matrix: NDArray[np.float64] | None = None
    registration: SpatialRegistration | None = None
    refusal: str | None = None
    note: str = ""

    @property
    def allowed(self) -> bool:
        """True unless refused."""
        return self.refusal is None


def matrix_text(matrix: NDArray[np.float64]) -> str:
    """The 3 × 4 part of a 4 × 4 matrix, rows separated by ``;`` (mm for the last column)."""
    return "; ".join(" ".join(f"{v:.4f}" for v in row) for row in np.asarray(matrix)[:3])


def frame_route(a_frame: str | None, b_frame: str | None, b_name: str, *,
                registrations: Sequence[SpatialRegistration] = (),
                deformable: Sequence[Path] = ()) -> FrameRoute:
    """The way from B's Frame of Reference into A's.

    Parameters
    ----------
    a_frame, b_frame : str or None
        Frame of Reference UIDs of A and B (None: not stated).
    b_name : str
        B's name for the messages.
    registrations : sequence of SpatialRegistration, keyword-only
        Rigid registrations found beside the data.
    deformable : sequence of Path, keyword-only
        Deformable Spatial Registrations found (never applied).

    Returns
    -------
    FrameRoute
    """
    if not a_frame or not b_frame:
        missing = "A" if not a_frame else "B"
        return FrameRoute(note=f"{missing} states no Frame of Reference UID: both are taken "
                               "to share one")
    if a_frame == b_frame:
        return FrameRoute(note="A and B share one Frame of Reference")
    for registration in registrations:
        if a_frame in registration.frames and b_frame in registration.frames:
            matrix = registration.matrix(b_frame, a_frame)
            return FrameRoute(matrix=matrix, registration=registration,
                              note=f"{b_name} brought into A's Frame of Reference by "
                                   f"{registration.path.name}: [{matrix_text(matrix)}]")
    why = (f"{b_name} is on Frame of Reference {b_frame} and A on {a_frame}: comparing "
           "across frames needs a Spatial Registration (REG) between them")
    if deformable:
        names = ", ".join(p.name for p in deformable)
        return FrameRoute(refusal=f"{why}; only a Deformable Spatial Registration was found "
                                  f"({names}), and deformable registration is out of scope "
                                  "(rtviewer applies rigid matrices only)")
    return FrameRoute(refusal=f"{why}, and none connecting them was found in the folder")
