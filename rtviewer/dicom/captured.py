"""Turn pydicom's warnings raised while values are accessed into findings.

pydicom converts element values lazily, so warnings about invalid values (a
UID like ``UNKNOWN``) appear while a reader walks the dataset, after
:func:`rtviewer.dicom.files.read_dataset` has returned. Readers run inside
:func:`warnings_as_findings` so those warnings land on the object, not the console.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from rtviewer.model.findings import Finding, Severity

__all__ = ["warnings_as_findings"]


@contextmanager
def warnings_as_findings() -> Iterator[list[Finding]]:
    """Collect every warning raised in the block as an INFO ``PYDICOM_WARNING`` finding.

    Yields
    ------
    list of Finding
        Filled when the block ends; duplicates of one message appear once.
    """
    findings: list[Finding] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield findings
    seen = set()
    for w in caught:
        message = str(w.message)
        if message not in seen:
            seen.add(message)
            findings.append(Finding("PYDICOM_WARNING", message, Severity.INFO))
