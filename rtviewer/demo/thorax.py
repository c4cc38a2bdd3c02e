"""The external-beam teaching patient: a thorax phantom with a right-lung tumour."""

from __future__ import annotations

import numpy as np

from rtviewer.demo.phantom import CtGeometry, Phantom, RoiSpec, Tissue
from rtviewer.demo.shapes import Ellipsoid

__all__ = ["GTV", "ISOCENTER_MM", "MARKER_MM", "PTV", "thorax_phantom"]

INF = np.inf
CT = CtGeometry(shape=(100, 256, 256), origin_mm=(-191.25, -191.25, -97.5),
                pixel_mm=1.5, slice_mm=2.5)

BODY = Ellipsoid((0.0, 0.0, 0.0), (170.0, 115.0, INF))
MUSCLE = Ellipsoid((0.0, 0.0, 0.0), (160.0, 106.0, INF))
RIBS_OUT = Ellipsoid((0.0, 2.0, 0.0), (152.0, 99.0, INF))
RIBS_IN = Ellipsoid((0.0, 2.0, 0.0), (145.0, 93.0, INF))
LUNG_R = Ellipsoid((-82.0, 5.0, 22.0), (54.0, 70.0, 118.0))
LUNG_L = Ellipsoid((84.0, 5.0, 18.0), (50.0, 68.0, 112.0))
HEART = Ellipsoid((18.0, -32.0, -55.0), (46.0, 42.0, 50.0))
ESOPHAGUS = Ellipsoid((4.0, 32.0, 0.0), (8.0, 7.0, INF))
STERNUM = Ellipsoid((0.0, -98.0, 0.0), (14.0, 7.0, INF))
VERTEBRA = Ellipsoid((0.0, 62.0, 0.0), (21.0, 17.0, INF))
ARCH = Ellipsoid((0.0, 90.0, 0.0), (17.0, 14.0, INF))
CANAL = Ellipsoid((0.0, 90.0, 0.0), (8.5, 7.5, INF))
CORD = Ellipsoid((0.0, 90.0, 0.0), (5.0, 5.0, INF))
GTV = Ellipsoid((-68.0, -6.0, 26.0), (19.0, 16.0, 21.0))
CTV = GTV.grown(5.0)
PTV = CTV.grown(5.0)
ISOCENTER_MM = GTV.center_mm
#: A 5 mm gold fiducial on a CT voxel centre inside the GTV (i=84, j=123, k=47), between
#: two rib levels; the CT uses an extended (16-bit) HU scale, so gold is not clipped.
MARKER_MM = (-65.25, -6.75, 20.0)
MARKER = Ellipsoid(MARKER_MM, (2.5, 2.5, 2.5))


def _tissues() -> tuple[Tissue, ...]:
    ribs = {"z_period_mm": 25.0, "z_on_mm": 10.0, "z0_mm": 3.0}
    discs = {"z_period_mm": 25.0, "z_on_mm": 20.0, "z0_mm": -9.0}
    return (
        Tissue(BODY, -95.0),  # subcutaneous fat
        Tissue(MUSCLE, 45.0),
        Tissue(RIBS_OUT, 650.0, **ribs),
        Tissue(RIBS_IN, 45.0, **ribs),
        Tissue(LUNG_R, -820.0),
        Tissue(LUNG_L, -830.0),
        Tissue(HEART, 40.0),
        Tissue(ESOPHAGUS, 25.0),
        Tissue(STERNUM, 450.0),
        Tissue(VERTEBRA, 90.0),  # intervertebral disc, overwritten by the bone below
        Tissue(VERTEBRA, 380.0, **discs),
        Tissue(ARCH, 700.0, **discs),
        Tissue(CANAL, 15.0),
        Tissue(CORD, 35.0),
        Tissue(GTV, 38.0),
        Tissue(MARKER, 20000.0),  # gold on an extended-scale CT
    )


def _rois() -> tuple[RoiSpec, ...]:
    return (
        RoiSpec(1, "External", (0, 200, 0), "EXTERNAL", (BODY,)),
        RoiSpec(2, "GTV", (255, 0, 0), "GTV", (GTV,)),
        RoiSpec(3, "CTV", (255, 128, 0), "CTV", (CTV,)),
        RoiSpec(4, "PTV", (0, 128, 255), "PTV", (PTV,)),
        RoiSpec(5, "Lung_R", (0, 255, 255), "ORGAN", (LUNG_R,)),
        RoiSpec(6, "Lung_L", (0, 200, 200), "ORGAN", (LUNG_L,)),
        RoiSpec(7, "Heart", (255, 0, 255), "ORGAN", (HEART,)),
        RoiSpec(8, "Esophagus", (160, 82, 45), "ORGAN", (ESOPHAGUS,)),
        RoiSpec(9, "SpinalCord", (255, 255, 0), "ORGAN", (CORD,)),
        RoiSpec(10, "Ring_PTV", (180, 180, 180), "AVOIDANCE", (PTV.grown(20.0), PTV.grown(5.0))),
        RoiSpec(11, "Fiducial", (255, 215, 0), "MARKER", point_mm=MARKER_MM),
        RoiSpec(12, "Isocenter", (255, 255, 255), "ISOCENTER", point_mm=ISOCENTER_MM),
        # Both lungs as one ROI (two disjoint contours per slice): QUANTEC's lung V20
        # and mean dose refer to the total lung volume.
        RoiSpec(13, "Lungs", (0, 160, 220), "ORGAN", (LUNG_R, LUNG_L)),
    )


def thorax_phantom() -> Phantom:
    """The thorax phantom: HFS, 256x256x100 CT at 1.5 x 1.5 x 2.5 mm."""
    lungs = ((LUNG_R, 0.25), (LUNG_L, 0.25))
    return Phantom(ct=CT, tissues=_tissues(), rois=_rois(), body=BODY, inhomogeneities=lungs)
