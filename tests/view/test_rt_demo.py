"""The RT views on the demo patients: our DRR against the demo's RT Image DRRs, records."""

from __future__ import annotations

import numpy as np
import pytest

from rtviewer.dicom.image import read_image_volume
from rtviewer.dicom.plan import read_plan
from rtviewer.dicom.record import read_treatment_record
from rtviewer.dicom.rtimage import read_rt_image
from rtviewer.dicom.scan import scan
from rtviewer.view.beam_model import beam_at
from rtviewer.view.bev_content import compute_drr
from rtviewer.view.record_summary import beam_rows, session_rows
from rtviewer.view.rtimage_geometry import receptor_geometry


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from rtviewer.demo.generate import generate_demo

    out = tmp_path_factory.mktemp("demo")
    generate_demo(out)
    return scan(out / "RTV-DEMO-THORAX")


def _sample_rt_image(image, xg, yg):
    """The RT Image's pixel values at isocentre-plane points (nearest pixel)."""
    receptor = receptor_geometry(image)
    px = receptor.receptor_to_pixel(receptor.isocentre_plane_to_receptor(np.stack([xg, yg], -1)))
    cols = np.clip(np.rint(px[..., 0]).astype(int), 0, image.shape[1] - 1)
    rows = np.clip(np.rint(px[..., 1]).astype(int), 0, image.shape[0] - 1)
    return image.pixels[rows, cols]


@pytest.mark.slow
def test_bev_drr_matches_the_demo_drr_of_every_beam(demo):
    ct = read_image_volume([i.path for i in demo.instances() if i.kind == "image"])
    plans = {i.sop_instance_uid: read_plan(i.path) for i in demo.instances()
             if i.kind == "rtplan"}
    drrs = [read_rt_image(i.path) for i in demo.instances() if i.kind == "rtimage"]
    drrs = [d for d in drrs if d.kind.value == "DRR"]
    assert len(drrs) >= 6
    for image in drrs:
        plan = plans[image.referenced_plan_uid]
        geometry = beam_at(plan, plan.beam(image.referenced_beam_number), 0).geometry
        ours, size = compute_drr(ct, geometry, half_width_mm=80.0, pixels=160)
        centres = -80.0 + (np.arange(160) + 0.5) * size
        xg, yg = np.meshgrid(centres, centres[::-1])
        theirs = _sample_rt_image(image, xg, yg)
        r = np.corrcoef(ours.ravel(), theirs.ravel())[0, 1]
        mirrored = np.corrcoef(ours[:, ::-1].ravel(), theirs.ravel())[0, 1]
        assert r > 0.98 and r > mirrored + 0.2, (image.label, r, mirrored)


def test_demo_records_deviations(demo):
    plan_inst = next(i for i in demo.instances() if i.kind == "rtplan"
                     and any(r.kind == "rtplan" for j in demo.instances()
                             if j.kind == "rtrecord" for r in j.references
                             if r.uid == i.sop_instance_uid))
    plan = read_plan(plan_inst.path)
    records = [read_treatment_record(i.path) for i in demo.instances() if i.kind == "rtrecord"
               and any(r.uid == plan.sop_instance_uid for r in i.references)]
    sessions = session_rows(plan, records)
    assert len(sessions) == len(records) > 1
    assert [s.date_time for s in sessions] == sorted(s.date_time for s in sessions)
    flagged = [s for s in sessions if s.deviations]
    # the demo interrupts one beam (operator) and completes it in a second session of
    # the same fraction: the interruption is flagged, the fraction's MU (summed) are not
    texts = [d for s in flagged for d in s.deviations]
    assert any("terminated OPERATOR" in t for t in texts)
    assert not any("MU delivered" in t for t in texts)
    assert len(flagged) == 1
    for row in beam_rows(plan, records):
        assert row.fractions_planned == plan.fractions_planned
        assert row.fractions_delivered <= len(records)
