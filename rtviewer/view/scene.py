"""What the viewer shows: one loaded chain (image, structures, plan, dose) and its caches.

A :class:`Scene` is immutable data plus lazily computed, cached derived data
(slab models per ROI, slice positions). The views read it; nothing writes to
the model objects. When there is no image, the dose grid is the base grid
(the RayStation SRS export has structures and dose but no CT).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rtviewer.core.grid import Grid
from rtviewer.core.interpolation import trilinear_sample
from rtviewer.core.slab_model import SlabModel, points_in_polygon
from rtviewer.core.structure_model import build_structure_model
from rtviewer.model.dose import Dose
from rtviewer.model.dose_reference import PercentReference, dose_warnings, percent_reference
from rtviewer.model.image import ImageVolume
from rtviewer.model.structure import StructureSet
from rtviewer.view.contour_geometry import (
    EMPTY_OUTLINE,
    CutTable,
    RoiOutline,
    roi_outline,
    section_kind,
)
from rtviewer.view.cut_batch import CutBatch, batches
from rtviewer.view.reference_dose import ReferenceDose
from rtviewer.view.tilted_batch import TiltedBatch
from rtviewer.view.view_geometry import DisplayFrame

__all__ = ["Readout", "Scene"]


@dataclass(frozen=True)
class Readout:
    """Values at one patient point (for the status bar).

    Attributes
    ----------
    xyz_mm : ndarray, (3,)
        The point, patient mm.
    image_value : float or None
        Nearest-voxel image value (HU for CT), None outside the image.
    image_unit : str
        Unit of ``image_value``.
    dose_gy : float or None
        Trilinear dose, None outside the dose grid's voxel centres or without dose.
    roi_names : tuple of str
        Names of the structures (slab model, even-odd) that contain the point.
    """

    xyz_mm: np.ndarray
    image_value: float | None
    image_unit: str
    dose_gy: float | None
    roi_names: tuple[str, ...]


@dataclass(eq=False)
class Scene:
    """A loaded chain of RT objects, any of which may be missing."""

    image: ImageVolume | None = None
    structures: StructureSet | None = None
    dose: Dose | None = None
    plan: Any = None  # rtviewer.model.plan.Plan
    #: The structure model the DVHs use (``core.structure_model``); see :meth:`slab_model`.
    structure_model: str = "slab"
    _slabs: dict[int, SlabModel | None] = field(default_factory=dict, repr=False)
    _open: dict[int, list[np.ndarray]] = field(default_factory=dict, repr=False)
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    def with_dose(self, dose: Dose | None) -> Scene:
        """The same image, structures and plan with another dose (a computed one).

        The structures' solids are shared (they do not depend on the dose), and so is
        what is built from them alone: the cut tables and batches and the notes of what
        cannot be drawn (showing a computed dose rebuilt them: 10 ms of the GUI thread
        for the 17 ROIs of ``pytg43-brachy/HDR``).
        """
        scene = Scene(image=self.image, structures=self.structures, dose=dose,
                      plan=self.plan, structure_model=self.structure_model)
        scene._slabs, scene._open = self._slabs, self._open
        scene._cache.update((k, v) for k, v in self._cache.items() if _structure_key(k))
        return scene

    @property
    def base_grid(self) -> Grid | None:
        """The grid the views step through and fit: the image's, else the dose's.

        A single image slice (dicompyler-core ships 1 of its 98) cannot be stepped
        through, so the dose grid is used then.
        """
        if self.image is not None and (self.image.grid.shape[0] > 1 or self.dose is None):
            return self.image.grid
        return self.dose.grid if self.dose is not None else None

    @property
    def frame(self) -> DisplayFrame:
        """The couch frame of the views (from the image, else the dose grid; cached)."""
        if "frame" not in self._cache:
            grid = self.image.grid if self.image is not None else self.base_grid
            self._cache["frame"] = DisplayFrame.from_grid(grid)
        frame: DisplayFrame = self._cache["frame"]
        return frame

    @property
    def empty(self) -> bool:
        """Whether there is nothing to draw (a plan alone draws its beams or channels)."""
        return (self.image is None and self.dose is None and self.structures is None
                and self.plan_points_mm() is None)

    @property
    def plan_only(self) -> bool:
        """Whether the plan is all there is to draw (no image, dose grid or structures)."""
        return (self.image is None and self.dose is None and self.structures is None
                and self.plan_points_mm() is not None)

    def plan_points_mm(self) -> np.ndarray | None:
        """``(N, 3)`` isocentres, brachy source positions and dose reference points, or None."""
        if "plan-points" not in self._cache:
            points = [np.asarray(cp.isocenter_mm, dtype=np.float64).reshape(1, 3)
                      for beam in getattr(self.plan, "beams", ()) or ()
                      for cp in beam.control_points if cp.isocenter_mm is not None]
            brachy = getattr(self.plan, "brachy", None)
            points += [c.control_point_positions_mm for c in (brachy.channels if brachy else ())
                       if c.control_point_positions_mm is not None]
            points += [np.asarray(r.point_mm, dtype=np.float64).reshape(1, 3)
                       for r in getattr(self.plan, "reference_points", ()) or ()]
            points = [p for p in points if len(p)]
            self._cache["plan-points"] = np.concatenate(points) if points else None
        result: np.ndarray | None = self._cache["plan-points"]
        return result

    def _plan_box_mm(self) -> np.ndarray | None:
        """``(2, 3)`` box around the plan's points (what a plan alone is shown in).

        100 mm around an isocentre, 20 mm around brachy channels.
        """
        points = self.plan_points_mm()
        if points is None:
            return None
        margin = 20.0 if getattr(self.plan, "brachy", None) is not None else 100.0
        return np.stack([points.min(axis=0) - margin, points.max(axis=0) + margin])

    # -- structures -------------------------------------------------------------------
    def slab_model(self, roi_number: int) -> SlabModel | None:
        """The ROI's solid as drawn (cached), None without closed contours.

        The slab model, or the ``none`` model (no end caps) when that is the structure
        model in use; the ``smooth`` model's surface is not drawn (its slab stack is,
        and the views say so).
        """
        if roi_number not in self._slabs:
            roi = self.structures.roi_by_number(roi_number) if self.structures else None
            polygons = roi.closed_polygons_mm() if roi is not None else []
            drawn = "none" if self.structure_model == "none" else "slab"
            solid = build_structure_model(polygons, drawn) if polygons else None
            self._slabs[roi_number] = solid if isinstance(solid, SlabModel) else None
        return self._slabs[roi_number]

    def set_structure_model(self, name: str) -> None:
        """Use the structure model ``name`` (``core.structure_model``) for what is drawn."""
        if name != self.structure_model:
            self.structure_model = name
            self._slabs.clear()
            for key in [k for k in self._cache if k.startswith("slab-") or _structure_key(k)]:
                del self._cache[key]

    def cut_table(self, roi_number: int) -> CutTable | None:
        """The ROI's flattened edges for sagittal/coronal cuts (cached)."""
        key = f"cut-{roi_number}"
        if key not in self._cache:
            model = self.slab_model(roi_number)
            self._cache[key] = CutTable.from_model(model) if model is not None else None
        table: CutTable | None = self._cache[key]
        return table

    def cut_batches(self) -> list[CutBatch]:
        """The structures with closed contours, batched for sagittal/coronal cuts (cached)."""
        if "cut-batches" not in self._cache:
            items = []
            for roi in self.structures.rois if self.structures is not None else ():
                model, table = self.slab_model(roi.roi_number), self.cut_table(roi.roi_number)
                if model is not None and table is not None:
                    items.append((roi.roi_number, model, table))
            self._cache["cut-batches"] = batches(items)
        found: list[CutBatch] = self._cache["cut-batches"]
        return found

    def structure_outlines(self, view: str, depth_mm: float,
                           numbers: Collection[int]) -> dict[int, RoiOutline]:
        """Outlines of the structures ``numbers`` on ``view`` at slice position ``depth_mm``.

        Each is ``contour_geometry.roi_outline`` of the structure; a view across the
        contour planes cuts all of them in one pass (``view.cut_batch``).
        """
        u, v, n = self.frame.axes(view)
        outlines: dict[int, RoiOutline] = {}
        for batch in self.cut_batches():  # None: a view along the planes (axial), or tilted
            outlines.update(batch.outlines(u, v, n, depth_mm, numbers) or {})
        rest = [number for number in numbers if number not in outlines]
        if rest:  # a view tilted against the contours: those structures cut at once
            outlines.update(self._tilted_outlines(u, v, n, depth_mm, rest))
        for number in numbers:
            if number not in outlines:
                outlines[number] = roi_outline(self.slab_model(number), self.frame, view,
                                               depth_mm, self.cut_table(number))
        return outlines

    def _tilted_outlines(self, u: np.ndarray, v: np.ndarray, n: np.ndarray, depth_mm: float,
                         numbers: Collection[int]) -> dict[int, RoiOutline]:
        """Outlines of those of ``numbers`` the plane cuts through their slabs' bands.

        One pass for all of them (``view.tilted_batch``), each equal to its own
        ``section_outline``; the others (none on a view along or across the contours)
        are left to the caller.
        """
        # whether this view cuts each structure tilted, decided once per view and only
        # for the structures asked for (models and tables the caller would build anyway)
        tilted: dict[int, bool] = self._cache.setdefault(f"cut-tilted-{n.tobytes().hex()}", {})
        for number in numbers:
            if number not in tilted:
                model, table = self.slab_model(number), self.cut_table(number)
                tilted[number] = (model is not None and table is not None and bool(model.planes)
                                  and section_kind(model, n, table.section) == "tilted")
        if not any(tilted[number] for number in numbers):  # contours along or across
            return {}
        # the batch (a copy of every polygon's edges) only once a view is tilted
        if "cut-tilted-batch" not in self._cache:
            items = []
            for roi in self.structures.rois if self.structures is not None else ():
                model, table = self.slab_model(roi.roi_number), self.cut_table(roi.roi_number)
                if model is not None and table is not None and model.planes:
                    items.append((roi.roi_number, model, table.section))
            self._cache["cut-tilted-batch"] = ([number for number, _m, _t in items],
                                               TiltedBatch.of([(m, t) for _n, m, t in items]))
        order, batch = self._cache["cut-tilted-batch"]
        wanted = np.array([number in numbers and tilted.get(number, False) for number in order],
                          dtype=bool)
        sections = batch.sections(u, v, n, depth_mm, wanted)
        outlines = {}
        for index in np.flatnonzero(wanted):
            segments, fill = sections.get(int(index), (None, tuple))
            st = None if segments is None else segments.reshape(-1, 2)
            outlines[order[index]] = (EMPTY_OUTLINE if st is None or st.size == 0
                                      else RoiOutline(st[:, 0], st[:, 1], fill))
        return outlines

    def open_contours_mm(self, roi_number: int) -> list[np.ndarray]:
        """Points of the ROI's open contours and points (cached), drawn as lines."""
        if roi_number not in self._open:
            roi = self.structures.roi_by_number(roi_number) if self.structures else None
            self._open[roi_number] = [c.points_mm for c in (roi.contours if roi else ())
                                      if not c.is_closed]
        return self._open[roi_number]

    def contour_bounds_mm(self) -> np.ndarray | None:
        """``(2, 3)`` min/max of all contour points, or None."""
        if self.structures is None:
            return None
        points = [c.points_mm for roi in self.structures.rois for c in roi.contours]
        if not points:
            return None
        stacked = np.concatenate(points)
        return np.stack([stacked.min(axis=0), stacked.max(axis=0)])

    # -- positions ----------------------------------------------------------------------
    def isocenter_mm(self) -> np.ndarray | None:
        """The first beam's isocentre, or None."""
        for beam in getattr(self.plan, "beams", ()) or ():
            for cp in beam.control_points[:1]:
                if cp.isocenter_mm is not None:
                    return np.asarray(cp.isocenter_mm, dtype=np.float64)
        return None

    def default_position(self) -> tuple[np.ndarray, str]:
        """Where the crosshair starts, and why (issue 5 item 9)."""
        iso = self.isocenter_mm()
        if iso is not None and (self._shows(iso) or self.plan_only):
            return iso, "plan isocentre"
        outside = ("" if iso is None else
                   f" (the plan isocentre {tuple(round(float(v), 1) for v in iso)} mm lies "
                   "outside the images, dose and structures)")
        if self.dose is not None:
            return self.dose.grid.center_mm, "dose grid centre" + outside
        if self.image is not None:
            return self.image.grid.center_mm, "image volume centre"
        bounds = self.contour_bounds_mm()
        if bounds is not None:
            return bounds.mean(axis=0), "structure set centre"
        box = self._plan_box_mm()
        if box is not None:
            return box.mean(axis=0), "centre of the plan's source positions and points"
        return np.zeros(3), "origin"

    def _shows(self, xyz: np.ndarray) -> bool:
        """Whether a point lies within the image, the dose grid or the contours' box."""
        grids = [g for g in (self.image.grid if self.image else None,
                             self.dose.grid if self.dose else None) if g is not None]
        if any(bool(g.contains(xyz, margin_voxels=0.5)) for g in grids):
            return True
        bounds = self.contour_bounds_mm()
        return bounds is not None and bool(np.all((xyz >= bounds[0]) & (xyz <= bounds[1])))

    def extent_corners_mm(self) -> np.ndarray | None:
        """Points whose box the views fit: the image's voxel faces, else dose and contours."""
        boxes = []
        for grid in ([self.image.grid] if self.image is not None else
                     [self.dose.grid] if self.dose is not None else []):
            half = 0.5 * grid.affine[:3, :3].sum(axis=1)
            boxes += [grid.corners_mm() - half, grid.corners_mm() + half]
        bounds = self.contour_bounds_mm()
        if self.image is None and bounds is not None:
            boxes.append(bounds)
        plan_box = self._plan_box_mm() if self.plan_only else None
        if plan_box is not None:
            boxes.append(plan_box)
        return np.concatenate(boxes) if boxes else None

    def slice_centres(self, view: str) -> np.ndarray:
        """Sorted depths (mm along the view normal) of the base grid's voxel centres.

        Without a grid (structures alone), the contour planes' span at 1 mm steps.
        """
        key = f"centres-{view}"
        if key not in self._cache:
            self._cache[key] = self._slice_centres(view)
        centres: np.ndarray = self._cache[key]
        return centres

    def _slice_centres(self, view: str) -> np.ndarray:
        _u, _v, n = self.frame.axes(view)
        grid = self.base_grid
        if grid is None:
            bounds = self.contour_bounds_mm()
            bounds = bounds if bounds is not None else self._plan_box_mm()
            if bounds is None:
                return np.zeros(1)
            depths = bounds @ n
            return np.arange(np.floor(depths.min()), np.ceil(depths.max()) + 1.0)
        depths = grid.corners_mm() @ n
        step = float(np.max(np.abs(grid.affine[:3, :3].T @ n)))  # the grid axis along n
        count = int(round((depths.max() - depths.min()) / step)) + 1
        planes: np.ndarray = depths.min() + step * np.arange(count)
        return planes

    def slab_mm(self, view: str) -> float:
        """Thickness (mm) of the slab a view shows open contours, channels and points in.

        The base grid's slice step along the view's normal; without a grid (structures
        or a plan alone) the contours' plane spacing, else the median step between
        consecutive brachy source positions, else 1 mm.
        """
        key = f"slab-{view}"
        if key not in self._cache:
            centres = self.slice_centres(view)
            step = float(np.diff(centres).min()) if centres.size > 1 else 1.0
            if self.base_grid is None:
                step = self._contour_spacing_mm() or self._dwell_step_mm() or 1.0
            self._cache[key] = step
        result: float = self._cache[key]
        return result

    def _contour_spacing_mm(self) -> float | None:
        """Median distance between neighbouring contour planes over all ROIs, or None."""
        gaps = [np.diff([p.offset_mm for p in model.planes])
                for roi in (self.structures.rois if self.structures else ())
                if (model := self.slab_model(roi.roi_number)) is not None]
        gaps = [g for g in gaps if g.size]
        return float(np.median(np.concatenate(gaps))) if gaps else None

    def _dwell_step_mm(self) -> float | None:
        """Median distance between consecutive source positions of the brachy channels."""
        brachy = getattr(self.plan, "brachy", None)
        steps = [np.linalg.norm(np.diff(c.dwell_positions_mm, axis=0), axis=1)
                 for c in (brachy.channels if brachy else ())
                 if c.dwell_positions_mm is not None and len(c.dwell_positions_mm) > 1]
        steps = [s[s > 1e-6] for s in steps]
        steps = [s for s in steps if s.size]
        return float(np.median(np.concatenate(steps))) if steps else None

    def step_depth(self, view: str, depth_mm: float, steps: int) -> float:
        """The slice ``steps`` voxel centres away from ``depth_mm`` (clamped to the grid)."""
        centres = self.slice_centres(view)
        nearest = int(np.argmin(np.abs(centres - depth_mm)))
        return float(centres[int(np.clip(nearest + steps, 0, centres.size - 1))])

    # -- dose reference -----------------------------------------------------------------
    def percent_reference(self) -> PercentReference:
        """The prescription as this dose's Dose Summation Type reads it, or why none."""
        return percent_reference(self.dose, self.plan)

    def dose_warnings(self) -> tuple[str, ...]:
        """What makes the dose's percentages doubtful with the plan shown (may be empty)."""
        return dose_warnings(self.dose, self.plan)

    def plan_reference_dose(self) -> ReferenceDose | None:
        """The plan's prescription as the dose's summation type reads it, with its source.

        PLAN dose: the prescription; FRACTION dose: prescription ÷ fractions; BEAM dose
        or no prescription: None (``model.dose_reference``).
        """
        reference = self.percent_reference()
        if reference.dose_gy is None:
            return None
        return ReferenceDose(reference.dose_gy, reference.label)

    def reference_dose(self) -> ReferenceDose | None:
        """The plan's reference; without one, the dose maximum, labelled as no prescription."""
        reference = self.plan_reference_dose()
        if reference is None and self.dose is not None and self.dose.is_absolute:
            top = self.dose.max_gy
            if top > 0:
                why = self.percent_reference().label
                reference = ReferenceDose(top, f"dose maximum, no prescription ({why})",
                                          is_prescription=False)
        return reference

    # -- readout ----------------------------------------------------------------------
    def readout(self, xyz_mm: np.ndarray) -> Readout:
        """Image value, dose and containing structures at a patient point."""
        xyz = np.asarray(xyz_mm, dtype=np.float64).reshape(3)
        value, unit = self.image_value_at(xyz)
        return Readout(xyz, value, unit, self.dose_at(xyz), self.containing(xyz))

    def image_value_at(self, xyz_mm: np.ndarray) -> tuple[float | None, str]:
        """Nearest-voxel image value (None outside the image) and its unit."""
        if self.image is None:
            return None, ""
        xyz = np.asarray(xyz_mm, dtype=np.float64).reshape(3)
        ijk = np.rint(self.image.grid.patient_to_index(xyz)).astype(int)
        nk, nj, ni = self.image.grid.shape
        value = None
        if 0 <= ijk[0] < ni and 0 <= ijk[1] < nj and 0 <= ijk[2] < nk:
            value = float(self.image.voxels[ijk[2], ijk[1], ijk[0]])
        return value, self.image.unit

    def dose_at(self, xyz_mm: np.ndarray) -> float | None:
        """Trilinear dose in Gy, None without a dose or outside its voxel centres."""
        if self.dose is None:
            return None
        xyz = np.asarray(xyz_mm, dtype=np.float64).reshape(3)
        sampled = float(trilinear_sample(self.dose.dose_gy, self.dose.grid, xyz,
                                         outside=np.nan))
        return None if np.isnan(sampled) else sampled

    def containing(self, xyz_mm: np.ndarray) -> tuple[str, ...]:
        """Names of the structures whose slab model contains the point (even-odd)."""
        if self.structures is None:
            return ()
        xyz = np.asarray(xyz_mm, dtype=np.float64).reshape(3)
        names = []
        for roi in self.structures.rois:
            model = self.slab_model(roi.roi_number)
            if model is not None and _inside(model, xyz):
                names.append(roi.name)
        return tuple(names)


def _inside(model: SlabModel, xyz: np.ndarray) -> bool:
    """Even-odd containment of a point in a slab model."""
    offset = float(xyz @ model.normal)
    for plane in model.planes:
        if plane.lower_mm <= offset < plane.upper_mm:
            uv = np.array([[xyz @ model.u, xyz @ model.v]])
            hits = sum(bool(points_in_polygon(uv, p)[0]) for p in plane.polygons_uv)
            return hits % 2 == 1
    return False


def _structure_key(key: str) -> bool:
    """Whether the cache entry ``key`` is built from the structures and plan alone.

    Not ``slab-*``: without an image the slab is the dose grid's slice step.
    """
    return key.startswith("cut-") or key == "undrawn"
