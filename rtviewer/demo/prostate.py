"""The prostate teaching patient's anatomy: a male pelvis phantom, HFS.

The pelvis outline, muscle, sacrum and femoral heads follow the HDR patient's
(:mod:`rtviewer.demo.pelvis`); the organs are placed as a prostate plan sees them: the
prostate between the femoral heads, the rectum behind it (its anterior wall touching
the prostate, so the PTV margin overlaps it as in a real plan), the bladder above and in
front, the pubic symphysis in front.
"""

from __future__ import annotations

import numpy as np

from rtviewer.demo.phantom import CtGeometry, Phantom, RoiSpec, Tissue
from rtviewer.demo.shapes import Ellipsoid

__all__ = ["BLADDER", "CT", "CTV", "FEMUR_HEAD_L", "FEMUR_HEAD_R", "ISOCENTER_MM", "PTV",
           "PTV_MARGIN_MM", "RECTUM", "prostate_phantom"]

INF = np.inf
CT = CtGeometry(shape=(62, 192, 192), origin_mm=(-191.0, -191.0, -90.0), pixel_mm=2.0,
                slice_mm=3.0)
BODY = Ellipsoid((0.0, 0.0, 0.0), (175.0, 125.0, INF))
MUSCLE = Ellipsoid((0.0, 0.0, 0.0), (162.0, 112.0, INF))
CTV = Ellipsoid((0.0, 8.0, 0.0), (22.0, 17.0, 20.0))  # the prostate, about 31 cm³
#: The usual 7 mm isotropic CTV-to-PTV margin of conventional prostate radiotherapy.
PTV_MARGIN_MM = 7.0
PTV = CTV.grown(PTV_MARGIN_MM)
RECTUM = Ellipsoid((0.0, 41.0, -2.0), (18.0, 16.0, 55.0))
BLADDER = Ellipsoid((0.0, -10.0, 50.0), (40.0, 30.0, 32.0))
FEMUR_HEAD_L = Ellipsoid((92.0, 8.0, 2.0), (24.0, 24.0, 24.0))
FEMUR_HEAD_R = Ellipsoid((-92.0, 8.0, 2.0), (24.0, 24.0, 24.0))
FEMUR_NECK_L = Ellipsoid((130.0, 12.0, -30.0), (14.0, 16.0, 40.0))
FEMUR_NECK_R = Ellipsoid((-130.0, 12.0, -30.0), (14.0, 16.0, 40.0))
PUBIS = Ellipsoid((0.0, -55.0, -2.0), (32.0, 10.0, 22.0))
SACRUM = Ellipsoid((0.0, 98.0, 48.0), (42.0, 16.0, 45.0))
ISCHIUM_L = Ellipsoid((55.0, 35.0, -42.0), (12.0, 18.0, 22.0))
ISCHIUM_R = Ellipsoid((-55.0, 35.0, -42.0), (12.0, 18.0, 22.0))
ISOCENTER_MM = CTV.center_mm

#: CT numbers (HU) of the bones, and the relative electron density the photon engine
#: gives them (CT-to-density calibration: about 1 + HU/1950 above water).
BONE_HU = 700.0
BONE_DENSITY = 1.0 + BONE_HU / 1950.0


def _tissues() -> tuple[Tissue, ...]:
    return (
        Tissue(BODY, -90.0),  # subcutaneous fat
        Tissue(MUSCLE, 40.0),
        Tissue(FEMUR_NECK_L, BONE_HU), Tissue(FEMUR_NECK_R, BONE_HU),
        Tissue(FEMUR_HEAD_L, BONE_HU), Tissue(FEMUR_HEAD_R, BONE_HU),
        Tissue(ISCHIUM_L, 500.0), Tissue(ISCHIUM_R, 500.0),
        Tissue(PUBIS, 500.0), Tissue(SACRUM, 420.0),
        Tissue(BLADDER, 8.0),
        Tissue(RECTUM, 20.0),
        Tissue(CTV, 42.0),
    )


def _rois() -> tuple[RoiSpec, ...]:
    # TG-263 names (Femur_Head_L/R), so the goal set and the laterality check read them.
    return (
        RoiSpec(1, "External", (0, 200, 0), "EXTERNAL", (BODY,)),
        RoiSpec(2, "CTV", (255, 128, 0), "CTV", (CTV,)),
        RoiSpec(3, "PTV", (0, 128, 255), "PTV", (PTV,)),
        RoiSpec(4, "Bladder", (255, 255, 0), "ORGAN", (BLADDER,)),
        RoiSpec(5, "Rectum", (160, 82, 45), "ORGAN", (RECTUM,)),
        RoiSpec(6, "Femur_Head_L", (0, 255, 160), "ORGAN", (FEMUR_HEAD_L,)),
        RoiSpec(7, "Femur_Head_R", (0, 200, 255), "ORGAN", (FEMUR_HEAD_R,)),
        RoiSpec(8, "Isocenter", (255, 255, 255), "ISOCENTER", point_mm=ISOCENTER_MM),
    )


def prostate_phantom() -> Phantom:
    """The male pelvis phantom: HFS, 192x192x62 CT at 2 x 2 x 3 mm.

    The photon engine counts the femoral heads as denser than water (their radiological
    depth), which is what a lateral beam of the arc crosses (the necks lie below the
    fields).
    """
    bones = tuple((shape, BONE_DENSITY) for shape in (FEMUR_HEAD_L, FEMUR_HEAD_R))
    return Phantom(ct=CT, tissues=_tissues(), rois=_rois(), body=BODY, inhomogeneities=bones)
