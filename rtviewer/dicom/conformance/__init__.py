"""IOD conformance of one dataset: Type 1/2 attributes per module, enumerated values."""

from __future__ import annotations

from pydicom.dataset import Dataset

from rtviewer.dicom.conformance.conditional import check_conditional_attributes
from rtviewer.dicom.conformance.enumerated import ENUMERATED_VALUES, check_enumerated_values
from rtviewer.dicom.conformance.iod import NEEDED_BY_RTVIEWER, check_iod_attributes
from rtviewer.dicom.conformance.tables import iod_name_for_sop_class, module_rules_for_iod
from rtviewer.dicom.sop_inference import (
    has_sop_class_uid,
    infer_sop_class,
    missing_sop_class_finding,
)
from rtviewer.model.findings import Finding

__all__ = [
    "ENUMERATED_VALUES",
    "NEEDED_BY_RTVIEWER",
    "check_conformance",
    "check_enumerated_values",
    "check_iod_attributes",
    "iod_name_for_sop_class",
    "module_rules_for_iod",
]


def check_conformance(ds: Dataset) -> list[Finding]:
    """Return the IOD attribute and enumerated-value findings of one dataset.

    A dataset without SOP Class UID is reported (an error) and checked as the class
    inferred from its file meta, Modality and content (:mod:`rtviewer.dicom.sop_inference`).
    """
    findings: list[Finding] = []
    sop_class_uid = str(ds.get("SOPClassUID", "") or "")
    if not has_sop_class_uid(ds):
        inferred = infer_sop_class(ds)
        findings.append(missing_sop_class_finding(inferred, empty="SOPClassUID" in ds))
        sop_class_uid = inferred.uid or ""
    iod = [f for f in check_iod_attributes(ds, sop_class_uid=sop_class_uid)
           if not (findings and f.attribute == "SOPClassUID")]  # said once, above
    conditional = check_conditional_attributes(ds, iod_name_for_sop_class(sop_class_uid))
    return [*findings, *iod, *conditional, *check_enumerated_values(ds)]
