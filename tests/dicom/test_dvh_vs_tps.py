"""DVHs against the planning system's own DVHs embedded in dicompyler-core's RT Dose.

The embedded curves are cumulative, in Gy and cc (the DVH Minimum/Mean/Maximum Dose of
that file are in % of 14 Gy, a known quirk, so they are not used).  The planning
system voxelises; rtviewer integrates the slab model: organs agree closely, tiny
structures (Borders, Nodes, Scar, under 1 cc) do not and are not compared.
"""

import numpy as np
import pytest

from rtviewer.core.dvh import compute_dvh
from rtviewer.dicom.dose import read_dose
from rtviewer.dicom.structure import read_structure_set

pytestmark = pytest.mark.corpus


def tps_mean_gy(embedded):
    edges = np.concatenate([[0.0], np.cumsum(embedded.dose_bin_widths)])
    cumulative = np.append(embedded.volumes, 0.0)
    differential = cumulative[:-1] - cumulative[1:]
    centres = 0.5 * (edges[:-1] + edges[1:])
    return float(np.sum(differential * centres) / cumulative[0])


@pytest.fixture(scope="module")
def plan(corpus):
    folder = corpus / "dicompyler-core"
    return read_dose(folder / "rtdose.dcm"), read_structure_set(folder / "rtss.dcm")


@pytest.mark.parametrize("roi_number", [4, 5, 6, 10])  # Breast, Heart, Lt Lung, TB Block
def test_organ_dvhs_agree_with_the_planning_system(plan, roi_number):
    dose, structure_set = plan
    roi = next(r for r in structure_set.rois if r.roi_number == roi_number)
    embedded = next(e for e in dose.dvhs if e.referenced_roi_numbers == (roi_number,))
    dvh = compute_dvh(roi.closed_polygons_mm(), dose.dose_gy, dose.grid)
    tps_volume = float(embedded.volumes[0])
    assert dvh.volume_cc == pytest.approx(tps_volume, rel=0.02)
    assert dvh.dmean_gy == pytest.approx(tps_mean_gy(embedded), rel=0.02, abs=0.02)
    edges = np.concatenate([[0.0], np.cumsum(embedded.dose_bin_widths)])[:-1]
    worst = np.max(np.abs(dvh.cumulative_at(edges) - embedded.volumes)) / tps_volume
    assert worst < 0.05
