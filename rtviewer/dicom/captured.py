"""Turn pydicom's warnings raised while values are accessed into findings.

pydicom converts element values lazily, so warnings about invalid values (a
UID like ``UNKNOWN``) appear while a reader walks the dataset, after
:func:`rtviewer.dicom.files.read_dataset` has returned. Readers run inside
:func:`warnings_as_findings` so those warnings land on the object, not the console.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar, cast

from rtviewer.model.findings import Finding, Severity

__all__ = ["warnings_as_findings", "with_warnings_as_findings"]


class _HasFindings(Protocol):
    @property
    def findings(self) -> tuple[Finding, ...]: ...


T = TypeVar("T", bound=_HasFindings)


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


def with_warnings_as_findings(read: Callable[[], T], *, skip_known: bool = False) -> T:
    """Run a reader and append the warnings it raised to its object's findings.

    Parameters
    ----------
    read : callable
        Builds the object (a frozen dataclass with a ``findings`` tuple).
    skip_known : bool, keyword-only
        Leave out a warning whose message is already one of the object's findings
        (the plan and record readers record some pydicom messages themselves).

    Returns
    -------
    object
        The object, with ``PYDICOM_WARNING`` findings appended when any were raised.
    """
    with warnings_as_findings() as caught:
        result = read()
    known = {f.message for f in result.findings} if skip_known else set()
    extra = tuple(f for f in caught if f.message not in known)
    if not extra:
        return result
    # The readers' objects are frozen dataclasses; the Protocol cannot say so to mypy.
    updated: T = dataclasses.replace(cast(Any, result), findings=(*result.findings, *extra))
    return updated
