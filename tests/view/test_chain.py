"""Which objects load together when the user selects one (and what render shows first)."""

from __future__ import annotations

import pytest

from rtviewer.dicom.scan import scan
from rtviewer.view.chain import chain_for, default_chain


@pytest.mark.corpus
def test_dose_selection_loads_plan_structures_and_images(corpus):
    folder = corpus / "dicompyler-core"
    result = scan(folder)
    chain = chain_for(result, folder / "rtdose.dcm")
    assert chain.plan == folder / "rtplan.dcm"
    assert chain.structures == folder / "rtss.dcm"
    assert chain.image_paths == (folder / "ct.0.dcm",)


@pytest.mark.corpus
def test_proton_plan_dose_first_beam_doses_offered_not_merged(corpus):
    result = scan(corpus / "aptg-proton")
    chain, why = default_chain(result)
    assert "PLAN" in next(i.summary for i in result.instances() if i.path == chain.dose)
    assert len(chain.other_doses) == 2
    assert all("BEAM" in next(i.summary for i in result.instances() if i.path == d)
               for d in chain.other_doses)
    assert chain.plan is not None and chain.plan.name == "ramped_2Gy_ver2_full.dcm"
    assert "WTR303030" in why


@pytest.mark.corpus
def test_structure_set_alone_has_no_dose(corpus):
    folder = corpus / "matrad-dicomexport"
    result = scan(folder)
    rtstruct = next(i.path for i in result.instances() if i.kind == "rtstruct")
    chain = chain_for(result, rtstruct)
    assert chain.dose is None and chain.plan is None and len(chain.image_paths) == 100
