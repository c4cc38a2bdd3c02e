"""--deep: dciodvfy's output parsed into findings; Debian's outdated RTSTRUCT rule dropped."""

from __future__ import annotations

import shutil

import pytest

from rtviewer.dicom.check import check_path
from rtviewer.dicom.check.deep import parse_dciodvfy
from rtviewer.model.findings import Severity

# dciodvfy -new output for rt-utils/mock_data/rt.dcm (dicom3tools 1.00~20220618)
RTSTRUCT_OUTPUT = """\
Error - Value invalid for this VR - (0x0002,0x0012) UI Implementation Class UID  UI [1] = <1.2.826.0.1.3680043.8.498.> - Empty component
Warning - Value dubious for this VR - (0x0010,0x0010) PN Patient's Name  PN [1] = <PHANTOM_EXAMPLE> - Retired Person Name form
RTStructureSet
Error - </OperatorsName(0008,1070)> - Missing attribute for Type 2 Required - Module=<RTSeries>
Error - </FrameOfReferenceUID(0020,0052)> - Missing attribute for Type 1 Required - Module=<FrameOfReference>
Error - </PositionReferenceIndicator(0020,1040)> - Missing attribute for Type 2 Required - Module=<FrameOfReference>
Warning - </RTROIObservationsSequence(3006,0080)[1]/ROIInterpreter(3006,00a6)[1]> - Value dubious for this VR [PN] = <anonymous> - Retired Person Name form
Warning - </RTROIObservationsSequence(3006,0080)[2]/ROIInterpreter(3006,00a6)[1]> - Value dubious for this VR [PN] = <anonymous> - Retired Person Name form
"""  # noqa: E501


def test_parse_drops_the_outdated_frame_of_reference_rule_and_merges_items():
    findings = parse_dciodvfy(RTSTRUCT_OUTPUT)
    attrs = [(f.code, f.severity, f.attribute) for f in findings]
    assert ("DCIODVFY_ERROR", Severity.INFO, "OperatorsName") in attrs
    assert all(f.attribute not in ("FrameOfReferenceUID", "PositionReferenceIndicator")
               for f in findings)
    interpreter = [f for f in findings if f.attribute == "RTROIObservationsSequence>ROIInterpreter"]
    assert len(interpreter) == 1 and "(2 occurrences)" in interpreter[0].message
    assert interpreter[0].severity is Severity.INFO
    invalid = [f for f in findings if "Empty component" in f.message]
    assert invalid[0].severity is Severity.WARNING and invalid[0].code == "DCIODVFY_ERROR"
    assert invalid[0].attribute == "ImplementationClassUID"  # from "(0x0002,0x0012)"
    assert all(f.attribute for f in findings)


def test_the_rule_is_kept_for_other_iods():
    text = RTSTRUCT_OUTPUT.replace("RTStructureSet", "CTImage")
    assert any(f.attribute == "FrameOfReferenceUID" for f in parse_dciodvfy(text))


@pytest.mark.corpus
@pytest.mark.skipif(shutil.which("dciodvfy") is None, reason="dicom3tools not installed")
def test_deep_check_runs_dciodvfy(corpus):
    report = check_path(corpus / "pymedphys", deep=True, use_cache=False)
    deep = [f for f in report.findings if f.code.startswith("DCIODVFY")]
    assert {f.path for f in deep} == {"06MV_plan.dcm", "24mm_x_20mm_rectangle.dcm",
                                     "FFF_example.dcm", "vmat_example.dcm"}
    assert all(f.severity is not Severity.ERROR for f in deep)
