"""How much a small or thin structure's statistics depend on the structure model.

A structure under :data:`SMALL_VOLUME_CC` or on fewer than :data:`FEW_PLANES` contour
planes has a volume and DVH that change visibly between the structure models of
``core.structure_model`` (issue 13, point 3): ``rtviewer dvh`` says so on stderr and
the DVH panel under its plot, both with the range of volume, Dmean, D98 and Dmax
across every model.  Deciding who is flagged takes the cheap slab solid; the spread
itself takes a DVH per model, the smooth solid the costliest (up to a second, with
the import of scipy): the panel computes it in its DVH workers, never in the
window's thread (``view.dvh_jobs``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from rtviewer.core.dvh import Dvh, compute_dvh
from rtviewer.core.dvh_metrics import dose_at_volume_percent
from rtviewer.core.grid import Grid
from rtviewer.core.structure_model import DEFAULT_MODEL, MODEL_NAMES, build_structure_model

__all__ = ["FEW_PLANES", "SMALL_VOLUME_CC", "ModelSpread", "flag_reason", "flagged_shape",
           "model_spread", "spread_of_contours", "value_range"]

#: Below this volume (cc, slab model) or number of contour planes a structure's
#: statistics depend visibly on the structure model.
SMALL_VOLUME_CC = 1.0
FEW_PLANES = 3


@dataclass(frozen=True)
class ModelSpread:
    """One flagged structure's statistics under every model (``MODEL_NAMES`` order).

    Attributes
    ----------
    planes : int
        Contour planes of the structure.
    slab_volume_cc : float
        Its volume under the default (slab) model, cc.
    volume_cc, dmean_gy, d98_gy, dmax_gy : tuple of float
        Per model; NaN where undefined (D98 of an empty solid).
    """

    planes: int
    slab_volume_cc: float
    volume_cc: tuple[float, ...]
    dmean_gy: tuple[float, ...]
    d98_gy: tuple[float, ...]
    dmax_gy: tuple[float, ...]

    @classmethod
    def from_dvhs(cls, planes: int, slab_volume_cc: float, dvhs: Sequence[Dvh]) -> ModelSpread:
        """The spread of ``dvhs`` (one per model, ``MODEL_NAMES`` order)."""
        return cls(planes, slab_volume_cc,
                   tuple(d.volume_cc for d in dvhs), tuple(d.dmean_gy for d in dvhs),
                   tuple(dose_at_volume_percent(d, 98.0) if d.volume_cc > 0 else math.nan
                         for d in dvhs),
                   tuple(d.dmax_gy for d in dvhs))

    @property
    def why(self) -> str:
        """Why the structure is flagged: ``"0.42 cc (slab model), 2 contour planes"``."""
        return flag_reason(self.planes, self.slab_volume_cc)

    def ranges(self) -> str:
        """``"volume 0.1–0.2 cc, Dmean …, D98 …, Dmax … Gy"`` across the models."""
        return ", ".join([value_range("volume", self.volume_cc, "cc"),
                          value_range("Dmean", self.dmean_gy, "Gy"),
                          value_range("D98", self.d98_gy, "Gy"),
                          value_range("Dmax", self.dmax_gy, "Gy")])


def flag_reason(planes: int, slab_volume_cc: float) -> str:
    """``"0.42 cc (slab model), 2 contour planes"``: what makes a structure flagged."""
    parts = []
    if slab_volume_cc < SMALL_VOLUME_CC:
        parts.append(f"{slab_volume_cc:.3g} cc (slab model)")
    if planes < FEW_PLANES:
        parts.append(f"{planes} contour plane{'s' * (planes != 1)}")
    return ", ".join(parts)


def value_range(name: str, values: Sequence[float], unit: str) -> str:
    """``"Dmax 12.07–12.43 Gy"``: the range of the finite ``values``; "undefined" if none."""
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return f"{name} undefined"
    return f"{name} {min(finite):.4g}–{max(finite):.4g} {unit}"


def flagged_shape(polygons_mm: Sequence[np.ndarray]) -> tuple[int, float] | None:
    """(contour planes, slab volume in cc) of a small or thin structure; None otherwise.

    None too for a structure without a solid (no closed contour).
    """
    slab = build_structure_model(list(polygons_mm), DEFAULT_MODEL) if len(polygons_mm) else None
    if slab is None:
        return None
    planes, volume_cc = len(slab.planes), slab.volume_mm3 / 1000.0
    if volume_cc >= SMALL_VOLUME_CC and planes >= FEW_PLANES:
        return None
    return planes, volume_cc


def model_spread(polygons_mm: Sequence[np.ndarray],
                 dvh_of: Callable[[str], Dvh]) -> ModelSpread | None:
    """The spread of a flagged structure (``dvh_of(model)`` gives its DVH); None if not flagged."""
    shape = flagged_shape(polygons_mm)
    if shape is None:
        return None
    return ModelSpread.from_dvhs(*shape, [dvh_of(model) for model in MODEL_NAMES])


def spread_of_contours(polygons_mm: Sequence[np.ndarray], dose_gy: np.ndarray,
                       grid: Grid) -> ModelSpread | None:
    """:func:`model_spread` with each model's DVH computed on ``dose_gy`` (Gy on ``grid``)."""
    return model_spread(polygons_mm,
                        lambda model: compute_dvh(list(polygons_mm), dose_gy, grid, model=model))
