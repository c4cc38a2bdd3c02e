"""The plane one slice view shows, as every overlay of that view receives it (no Qt).

A :class:`SlicePlane` is made once per redraw of a view and handed to each overlay in
turn, so the image and the dose are cut once however many overlays draw them (the dose
wash and the isodose lines share one trilinear cut).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from rtviewer.view.scene import Scene
from rtviewer.view.view_geometry import DisplayFrame, PlaneImage, slice_volume

__all__ = ["LegendEntry", "SlicePlane"]


@dataclass(frozen=True)
class LegendEntry:
    """One row of a slice view's legend: a colour swatch and its text.

    Attributes
    ----------
    rgb : tuple of int
        The swatch colour, 0-255 each.
    text : str
        What the colour means, e.g. ``"95 %  57.0 Gy"``.
    short : str or None
        The same in a pane too small for ``text`` beside the anatomy, e.g. ``"95 %"``
        (the full text stays on the other views); None: ``text`` is short enough.
    reached : bool
        False for an isodose level above the dose's maximum: no line can show it, and
        the legend greys it (the Monaco plan's dose peaks at 51 % of its prescription).
    swatch : bool
        False for a row that is a note, not a colour (the dose maximum among the levels).
    """

    rgb: tuple[int, int, int]
    text: str
    short: str | None = None
    reached: bool = True
    swatch: bool = True


class SlicePlane:
    """A scene cut by one view's plane at one depth.

    Parameters
    ----------
    scene : Scene
        What is shown.
    view : str
        ``"axial"``, ``"sagittal"`` or ``"coronal"`` (the frame's axes of that view).
    depth_mm : float
        Position of the plane along the view's normal, patient mm.
    """

    def __init__(self, scene: Scene, view: str, depth_mm: float) -> None:
        self.scene, self.view, self.depth_mm = scene, view, float(depth_mm)
        self._cuts: dict[str, PlaneImage | None] = {}

    @property
    def frame(self) -> DisplayFrame:
        """The couch frame whose axes place this plane."""
        return self.scene.frame

    def image(self) -> PlaneImage | None:
        """The image cut (nearest voxel: CT numbers are never blended), or None."""
        image = self.scene.image
        return self._cut("image", None if image is None else (image.grid, image.voxels),
                         linear=False)

    def dose(self) -> PlaneImage | None:
        """The dose cut in Gy (trilinear), or None without a dose."""
        dose = self.scene.dose
        return self._cut("dose", None if dose is None else (dose.grid, dose.dose_gy),
                         linear=True)

    def _cut(self, name: str, volume: tuple[Any, np.ndarray] | None, *,
             linear: bool) -> PlaneImage | None:
        if name not in self._cuts:
            self._cuts[name] = None if volume is None else slice_volume(
                volume[0], volume[1], self.frame, self.view, self.depth_mm, linear=linear)
        return self._cuts[name]
