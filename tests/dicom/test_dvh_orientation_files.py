"""One physical dose written as RTDOSE in six patient positions (and absolute offsets):
read back with the reader, the DVH of one structure is the same within 0.1 %."""

import numpy as np
import pytest
from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from rtviewer.core.dvh import compute_dvh
from rtviewer.core.dvh_metrics import dose_at_volume_cc, dose_at_volume_percent
from rtviewer.dicom.dose import read_dose

X = -40.0 + 2.5 * np.arange(33)  # columns of an HFS grid: 2.5 mm
Y = -30.0 + 2.0 * np.arange(31)  # rows: 2.0 mm (non-square pixels)
Z = -21.0 + 3.0 * np.arange(15)
AXES = {0: X, 1: Y, 2: Z}
# row cosines, column cosines, frame direction along z
POSITIONS = {
    "HFS": ((1, 0, 0), (0, 1, 0), +1), "HFP": ((-1, 0, 0), (0, -1, 0), +1),
    "FFS": ((-1, 0, 0), (0, 1, 0), -1), "FFP": ((1, 0, 0), (0, -1, 0), -1),
    "HFDL": ((0, -1, 0), (1, 0, 0), +1), "HFDR": ((0, 1, 0), (-1, 0, 0), -1),
}


def physical_dose(p):
    x, y, z = p[..., 0], p[..., 1], p[..., 2]
    # asymmetric in x, y and z: a flipped axis or frame order changes the DVH
    return (40.0 * np.exp(-((x - 3) ** 2 + (y + 2) ** 2) / 400.0 - (z - 6) ** 2 / 300.0)
            + 0.1 * x - 0.05 * y + 0.3 * z + 12)


def axis_values(cosines):
    axis = int(np.argmax(np.abs(cosines)))
    values = AXES[axis] if cosines[axis] > 0 else AXES[axis][::-1]
    return axis, values


def write_dose(path, position, *, absolute=False):
    row, col, frames = POSITIONS[position]
    i_axis, i_values = axis_values(row)
    j_axis, j_values = axis_values(col)
    z_values = Z if frames > 0 else Z[::-1]
    origin = np.zeros(3)
    origin[i_axis], origin[j_axis], origin[2] = i_values[0], j_values[0], z_values[0]
    grid_points = np.zeros((len(z_values), len(j_values), len(i_values), 3))
    grid_points[..., i_axis] = i_values[None, None, :]
    grid_points[..., j_axis] = j_values[None, :, None]
    grid_points[..., 2] = z_values[:, None, None]
    dose = physical_dose(grid_points)
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.481.2"
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = FileDataset(str(path), {}, file_meta=meta, preamble=b"\0" * 128)
    ds.SOPClassUID = meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.Modality, ds.PatientID, ds.PatientPosition = "RTDOSE", "ORIENT", position
    ds.StudyInstanceUID = ds.SeriesInstanceUID = generate_uid()
    ds.FrameOfReferenceUID = "1.2.3.4"
    ds.ImagePositionPatient = [float(v) for v in origin]
    ds.ImageOrientationPatient = [float(v) for v in (*row, *col)]
    ds.PixelSpacing = [abs(j_values[1] - j_values[0]), abs(i_values[1] - i_values[0])]
    normal = np.cross(row, col)
    if absolute:
        ds.GridFrameOffsetVector = [float(z) for z in z_values]
    else:
        ds.GridFrameOffsetVector = [float((z - z_values[0]) * normal[2]) for z in z_values]
    ds.NumberOfFrames, ds.FrameIncrementPointer = len(z_values), (0x3004, 0x000C)
    ds.Rows, ds.Columns = len(j_values), len(i_values)
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 32, 32, 31, 0
    ds.DoseUnits, ds.DoseType, ds.DoseSummationType = "GY", "PHYSICAL", "PLAN"
    ds.DoseGridScaling = "1e-6"
    ds.PixelData = np.round(dose / 1e-6).astype(np.uint32).tobytes()
    ds.save_as(path, enforce_file_format=True)
    return path


def structure():
    polys = []
    for z in np.arange(-10.0, 17.6, 2.5):  # off the grid's centre: no mirror symmetry
        r = 14.0 * np.sqrt(max(1 - ((z - 4) / 16.0) ** 2, 0.02))
        for radius, n in ((r, 200), (r / 3, 100)):  # a shell with a hole
            t = np.linspace(0, 2 * np.pi, n, endpoint=False)
            polys.append(np.column_stack([5 + radius * np.cos(t), -3 + radius * np.sin(t),
                                          np.full(n, z)]))
    return polys


def summary(dvh):
    return np.array([dvh.volume_cc, dvh.dmin_gy, dvh.dmax_gy, dvh.dmean_gy,
                     dose_at_volume_percent(dvh, 98), dose_at_volume_percent(dvh, 50),
                     dose_at_volume_percent(dvh, 2), dose_at_volume_cc(dvh, 0.03)])


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    path = write_dose(tmp_path_factory.mktemp("hfs") / "RD.dcm", "HFS")
    dose = read_dose(path)
    return compute_dvh(structure(), dose.dose_gy, dose.grid)


@pytest.mark.parametrize("position,absolute", [(p, False) for p in POSITIONS if p != "HFS"]
                         + [("HFS", True)])
def test_same_dvh_from_every_patient_position(tmp_path, reference, position, absolute):
    dose = read_dose(write_dose(tmp_path / "RD.dcm", position, absolute=absolute))
    dvh = compute_dvh(structure(), dose.dose_gy, dose.grid)
    np.testing.assert_allclose(summary(dvh), summary(reference), rtol=1e-3)
    doses = np.linspace(0, reference.dmax_gy, 60)
    np.testing.assert_allclose(dvh.cumulative_at(doses), reference.cumulative_at(doses),
                               atol=1e-3 * reference.volume_cc)
