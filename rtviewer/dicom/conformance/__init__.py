"""IOD conformance of one dataset: Type 1/2 attributes per module, enumerated values."""

from __future__ import annotations

from pydicom.dataset import Dataset

from rtviewer.dicom.conformance.enumerated import ENUMERATED_VALUES, check_enumerated_values
from rtviewer.dicom.conformance.iod import NEEDED_BY_RTVIEWER, check_iod_attributes
from rtviewer.dicom.conformance.tables import iod_name_for_sop_class, module_rules_for_iod
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
    """Return the IOD attribute and enumerated-value findings of one dataset."""
    return [*check_iod_attributes(ds), *check_enumerated_values(ds)]
