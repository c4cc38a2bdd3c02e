"""Dwell source axes from a plan's control points: along the channel, towards its tip."""

import numpy as np
import pytest

from rtviewer.dicom.plan import read_plan
from rtviewer.model.brachy_dwells import treatment_dwells

pytestmark = pytest.mark.corpus


def test_eclipse_tandem_axes_point_to_its_superior_tip(corpus):
    plan = read_plan(corpus / "pytg43-brachy" / "HDR" / "RP.HDR.dcm")
    dwells = treatment_dwells(plan.brachy)
    assert dwells.count == 25 and not dwells.notes
    np.testing.assert_allclose(np.linalg.norm(dwells.axes, axis=1), 1.0, rtol=1e-12)
    tandem = np.array(dwells.channel_numbers) == 1
    # The tandem's first control point (relative position 7.5 mm, the distal end) is
    # superior (z 48 mm) to its last (z −14 mm): every axis has a positive z component.
    assert np.all(dwells.axes[tandem][:, 2] > 0.5)
    assert dwells.times_s.sum() == pytest.approx(271.4 + 101.0 + 100.7, abs=1e-6)


def test_pulsed_times_all_pulses(corpus):
    plan = read_plan(corpus / "pytg43-brachy" / "PDR" / "RP.PDR.dcm")
    one = treatment_dwells(plan.brachy).times_s.sum()
    assert treatment_dwells(plan.brachy, all_pulses=True).times_s.sum() == \
        pytest.approx(43 * one)
