"""A synthetic HFS (or other orientation) CT, structure set and Gaussian dose for UI tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from rtviewer.core.grid import Grid
from rtviewer.model.dose import Dose, DoseSummationType, DoseType, DoseUnits
from rtviewer.model.image import ImageVolume, Rescale
from rtviewer.model.structure import Contour, ContourType, Roi, StructureSet


def make_phantom(orientation=(1, 0, 0, 0, 1, 0), step=(0, 0, 2.5)):
    # the first voxel sits where the row/column/slice directions start, so the grid
    # covers x -100..99.5, y -80..79, z -50..50 whatever the orientation
    o = np.asarray(orientation, dtype=float)
    start = np.array([-100.0, -80.0, -50.0])
    start = np.where(o[:3] < 0, [99.5, 0, 0], start) if o[0] < 0 else start
    if o[4] < 0:
        start[1] = 79.0
    if step[2] < 0:
        start[2] = 50.0
    g = Grid.from_dicom_geometry(
        image_position_mm=tuple(start),
        image_orientation=orientation,
        pixel_spacing_mm=(1.0, 1.5),
        slice_step_mm=step,
        shape=(41, 160, 134),
    )
    ijk = np.indices(g.shape)[::-1].transpose(1, 2, 3, 0)
    xyz = g.index_to_patient(ijk)
    r = np.sqrt((xyz[..., 0] / 90) ** 2 + (xyz[..., 1] / 70) ** 2)
    vox = np.where(r < 1, 0.0, -1000.0).astype(np.float32)
    vox[(np.abs(xyz[..., 0] - 40) < 10) & (np.abs(xyz[..., 1]) < 10)] = 800  # bone on patient left
    img = ImageVolume(
        paths=(),
        series_instance_uid="1",
        modality="CT",
        grid=g,
        voxels=vox,
        rescales=(Rescale(1, 0, "HU"),),
    )
    dg = Grid.from_dicom_geometry(
        image_position_mm=(-60, -60, -40),
        image_orientation=(1, 0, 0, 0, 1, 0),
        pixel_spacing_mm=(3, 3),
        slice_step_mm=(0, 0, 3),
        shape=(27, 41, 41),
    )
    dxyz = dg.index_to_patient(np.indices(dg.shape)[::-1].transpose(1, 2, 3, 0))
    dose = (20 * np.exp(-((dxyz**2).sum(-1)) / (2 * 30**2))).astype(np.float32)
    d = Dose(
        path=Path("x"),
        sop_instance_uid="2",
        grid=dg,
        dose_gy=dose,
        units=DoseUnits.GY,
        dose_type=DoseType.PHYSICAL,
        summation_type=DoseSummationType.PLAN,
    )
    return img, _structures(), d


def circle(cx, cy, z, rad, n=40):
    a = np.linspace(0, 2 * np.pi, n, endpoint=False)
    return np.column_stack([cx + rad * np.cos(a), cy + rad * np.sin(a), np.full(n, z)])


def _structures():
    zs = np.arange(-20, 21, 2.5)
    c1 = tuple(Contour(circle(0, 0, z, 25), ContourType.CLOSED_PLANAR) for z in zs) + tuple(
        Contour(circle(0, 0, z, 10), ContourType.CLOSED_PLANAR) for z in zs[2:-2]
    )
    c2 = tuple(Contour(circle(40, 0, z, 12), ContourType.CLOSED_PLANAR) for z in zs[:5])
    ss = StructureSet(
        path=Path("s"),
        sop_instance_uid="3",
        label="S",
        frame_of_reference_uid=None,
        rois=(
            Roi(1, "PTV ring", (255, 0, 0), "PTV", c1),
            Roi(2, "Left thing", (0, 255, 255), "ORGAN", c2),
        ),
    )
    return ss
