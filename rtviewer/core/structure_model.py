"""Structure models: which solid a stack of closed planar contours stands for.

A structure drawn as closed planar contours says nothing about its shape between
and beyond the contour planes; every DVH depends on a *model* of that shape.  rtviewer
offers three, chosen by name everywhere a structure's volume or DVH is computed
(``rtviewer dvh --structure-model``, the DVH panel):

``slab`` (default)
    Each plane's even-odd region extruded to the mid-points between planes, with flat
    end caps half a contour spacing beyond the end contours
    (:mod:`rtviewer.core.slab_model`): the convention of the Nelms et al. 2015
    benchmark's truth.
``none``
    The same stack, but the solid ends *at* the end contours (no end caps): the
    convention behind the smaller small-structure volumes some planning systems
    report.  A structure on one plane has no volume.
``smooth``
    Shape-based interpolation (:mod:`rtviewer.core.smooth_model`): signed distances
    to the contours interpolated linearly between planes, end caps closing the shape
    from the end contours' own taper (a sphere's pole, a cone's apex), flat at half a
    spacing when the contours do not taper.

The API that every consumer (DVH engine, volume, drawing the solid on an oblique
plane) uses is :func:`build_structure_model` and :func:`contains`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

import numpy as np
from numpy.typing import NDArray

from rtviewer.core.content_cache import ContentCache, arrays_digest
from rtviewer.core.model_names import (  # apart: the CLI parser builds without numpy
    DEFAULT_MODEL,
    MODEL_NAMES,
    ModelName,
    check_model_name,
    describe_model,
)
from rtviewer.core.slab_model import SlabModel, build_slab_model, points_in_polygon
from rtviewer.core.small_linalg import project
from rtviewer.core.smooth_model import SmoothModel, build_smooth_model, import_dependencies

__all__ = ["DEFAULT_MODEL", "MODEL_NAMES", "ModelName", "StructureModel",
           "build_structure_model", "contains", "describe_model", "forget_solids",
           "prepare_models"]

StructureModel: TypeAlias = SlabModel | SmoothModel


#: Solids already built, by model, spacing and contour content: the reader, the DVH
#: engine, the CLI and the viewer ask for the same ROI's solid again and again.  Bounded
#: by contour vertices (2 million: a few tens of MB of solids).
_SOLIDS: ContentCache[StructureModel | None] = ContentCache(max_cost=2_000_000)


def forget_solids() -> None:
    """Empty the cache of built solids (benchmarks time each run from the files)."""
    _SOLIDS.clear()


def prepare_models(names: Sequence[str]) -> None:
    """Import now what building solids of the models ``names`` will import.

    Called before sharing builds with a forked copy of the process, which would
    otherwise import the same modules a second time.
    """
    if "smooth" in names:
        import_dependencies()


def build_structure_model(
    polygons_mm: Sequence[NDArray[np.floating]],
    model: str = DEFAULT_MODEL,
    *,
    plane_spacing_mm: float | None = None,
) -> StructureModel | None:
    """The solid of one structure under the structure model ``model``.

    Parameters
    ----------
    polygons_mm : sequence of (N, 3) arrays
        The ROI's CLOSED_PLANAR contours in patient ``(x, y, z)`` mm.
    model : {"slab", "none", "smooth"}
        The structure model (module docstring).
    plane_spacing_mm : float, optional, keyword-only
        Nominal contour spacing; default the median spacing of the contour planes.

    Returns
    -------
    SlabModel or SmoothModel or None
        None when no contour encloses an area.  The same object is returned for the
        same contours (by value), model and spacing: treat it as read-only.
    """
    name = check_model_name(model)
    arrays = [np.asarray(p) for p in polygons_mm]
    key = (name, plane_spacing_mm, arrays_digest(arrays))
    return _SOLIDS.get_or_build(key, lambda: _build(arrays, name, plane_spacing_mm),
                                cost=sum(len(a) for a in arrays))


def _build(polygons_mm: Sequence[NDArray[np.floating]], name: ModelName,
           plane_spacing_mm: float | None) -> StructureModel | None:
    if name == "smooth":
        return build_smooth_model(polygons_mm, plane_spacing_mm=plane_spacing_mm)
    return build_slab_model(polygons_mm, plane_spacing_mm=plane_spacing_mm,
                            cap_fraction=0.5 if name == "slab" else 0.0)


def contains(structure: StructureModel, points_mm: NDArray[np.floating]) -> NDArray[np.bool_]:
    """Which patient points lie inside the structure's solid.

    This is the inside test of every model: a view cut by an oblique plane draws the
    solid by testing the plane's points with it.

    Parameters
    ----------
    structure : SlabModel or SmoothModel
        From :func:`build_structure_model`.
    points_mm : (M, 3) array
        Patient ``(x, y, z)`` mm.

    Returns
    -------
    (M,) bool ndarray
        True inside (slab faces half-open ``[lower, upper)``, even-odd in plane).
    """
    points = np.asarray(points_mm, dtype=np.float64).reshape(-1, 3)
    if isinstance(structure, SmoothModel):
        return structure.contains(points)
    offsets = project(points, structure.normal)
    uv = np.column_stack([project(points, structure.u), project(points, structure.v)])
    inside = np.zeros(len(points), dtype=bool)
    for plane in structure.planes:
        in_slab = np.flatnonzero((offsets >= plane.lower_mm) & (offsets < plane.upper_mm))
        if len(in_slab) == 0:
            continue
        flags = np.zeros(len(in_slab), dtype=bool)
        for polygon in plane.polygons_uv:
            flags ^= points_in_polygon(uv[in_slab], polygon)
        inside[in_slab] = flags
    return inside
