"""The brachytherapy teaching patient: a pelvis phantom with a tandem-and-ovoids applicator."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rtviewer.demo.phantom import CtGeometry, Phantom, RoiSpec, Tissue
from rtviewer.demo.shapes import Ellipsoid

__all__ = ["CHANNELS", "POINT_A_LEFT_MM", "POINT_A_RIGHT_MM", "Channel", "pelvis_phantom"]

INF = np.inf
CT = CtGeometry(shape=(48, 192, 192), origin_mm=(-191.0, -191.0, -80.0), pixel_mm=2.0,
                slice_mm=3.0)
BODY = Ellipsoid((0.0, 0.0, 0.0), (175.0, 125.0, INF))
MUSCLE = Ellipsoid((0.0, 0.0, 0.0), (162.0, 112.0, INF))
CTV_HR = Ellipsoid((0.0, 5.0, -10.0), (20.0, 17.0, 22.0))
BLADDER = Ellipsoid((0.0, -42.0, 8.0), (42.0, 22.0, 30.0))
RECTUM = Ellipsoid((0.0, 38.0, -30.0), (15.0, 13.0, 45.0))
SIGMOID = Ellipsoid((12.0, 22.0, 45.0), (16.0, 13.0, 16.0))
FEMUR_L = Ellipsoid((95.0, 10.0, -55.0), (24.0, 24.0, 24.0))
FEMUR_R = Ellipsoid((-95.0, 10.0, -55.0), (24.0, 24.0, 24.0))
SACRUM = Ellipsoid((0.0, 95.0, 35.0), (42.0, 16.0, 45.0))
#: Point A (Manchester): 2 cm superior to the cervical os along the tandem, 2 cm lateral.
POINT_A_RIGHT_MM = (-20.0, 5.0, 0.0)
POINT_A_LEFT_MM = (20.0, 5.0, 0.0)


@dataclass(frozen=True)
class Channel:
    """An applicator channel: a polyline from its tip (distal end) back towards the afterloader.

    ``dwell_from_tip_mm`` are source positions measured along the channel from the tip.
    """

    number: int
    name: str
    path_mm: tuple[tuple[float, float, float], ...]
    dwell_from_tip_mm: tuple[float, ...]
    relative_weight: float

    @property
    def roi_number(self) -> int:
        """The structure set ROI drawing this channel (OPEN_NONPLANAR)."""
        return 10 + self.number

    def point_at(self, distance_mm: float) -> NDArray[np.float64]:
        """The point ``distance_mm`` along the channel from its tip."""
        path = np.asarray(self.path_mm)
        seg = np.diff(path, axis=0)
        lengths = np.linalg.norm(seg, axis=1)
        remaining = distance_mm
        for start, vec, length in zip(path[:-1], seg, lengths, strict=True):
            if remaining <= length:
                return start + vec * (remaining / length)
            remaining -= length
        return path[-1]

    def dwell_positions_mm(self) -> NDArray[np.float64]:
        """Dwell positions (N, 3) mm."""
        return np.array([self.point_at(d) for d in self.dwell_from_tip_mm])

    def sampled_path_mm(self, step_mm: float = 2.0) -> NDArray[np.float64]:
        """Points along the whole channel every ``step_mm`` (for contours and the CT)."""
        length = float(np.sum(np.linalg.norm(np.diff(np.asarray(self.path_mm), axis=0), axis=1)))
        return np.array([self.point_at(d) for d in np.arange(0.0, length + 1e-9, step_mm)])


#: Tandem: 20° anteverted tip, straight through the cervix; ovoids in the lateral fornices.
CHANNELS = (
    Channel(1, "Tandem", ((0.0, -6.0, 30.0), (0.0, 5.0, 0.0), (0.0, 5.0, -20.0), (0.0, 5.0, -78.0)),
            tuple(6.0 + 5.0 * n for n in range(9)), 1.0),
    Channel(2, "Ovoid L", ((20.0, 6.0, -24.0), (20.0, 6.0, -78.0)), (4.0, 9.0, 14.0), 1.3),
    Channel(3, "Ovoid R", ((-20.0, 6.0, -24.0), (-20.0, 6.0, -78.0)), (4.0, 9.0, 14.0), 1.3),
)


def _xyz(point: NDArray[np.float64], ndigits: int | None = None) -> tuple[float, float, float]:
    """A point ``(3,)`` as floats, rounded to ``ndigits`` decimals when given."""
    x, y, z = (float(v) if ndigits is None else round(float(v), ndigits) for v in point)
    return x, y, z


def _applicator_tissues() -> tuple[Tissue, ...]:
    beads = []
    for channel in CHANNELS:
        for p in channel.sampled_path_mm(2.0):
            beads.append(Tissue(Ellipsoid(_xyz(p), (3.0, 3.0, 3.0)), 1800.0))
    return tuple(beads)


def _rois() -> tuple[RoiSpec, ...]:
    return (
        RoiSpec(1, "External", (0, 200, 0), "EXTERNAL", (BODY,)),
        RoiSpec(2, "CTV-HR", (255, 0, 0), "CTV", (CTV_HR,)),
        RoiSpec(3, "Bladder", (255, 255, 0), "ORGAN", (BLADDER,)),
        RoiSpec(4, "Rectum", (160, 82, 45), "ORGAN", (RECTUM,)),
        RoiSpec(5, "Sigmoid", (0, 160, 255), "ORGAN", (SIGMOID,)),
        RoiSpec(6, "Point A right", (255, 128, 255), "DOSE_REGION", point_mm=POINT_A_RIGHT_MM),
        RoiSpec(7, "Point A left", (255, 128, 255), "DOSE_REGION", point_mm=POINT_A_LEFT_MM),
        *(RoiSpec(c.roi_number, f"Appl {c.name}", (200, 200, 200), "BRACHY_CHANNEL",
                  polyline_mm=tuple(_xyz(p, ndigits=2) for p in c.sampled_path_mm(5.0)))
          for c in CHANNELS),
    )


def pelvis_phantom() -> Phantom:
    """The pelvis phantom: HFS, 192x192x48 CT at 2 x 2 x 3 mm, applicator in place."""
    tissues = (
        Tissue(BODY, -90.0), Tissue(MUSCLE, 40.0), Tissue(FEMUR_L, 850.0),
        Tissue(FEMUR_R, 850.0), Tissue(SACRUM, 420.0), Tissue(BLADDER, 8.0),
        Tissue(RECTUM, 25.0), Tissue(SIGMOID, 30.0), Tissue(CTV_HR, 45.0),
        *_applicator_tissues(),
    )
    return Phantom(ct=CT, tissues=tissues, rois=_rois(), body=BODY)
