"""``rtviewer check``: is this folder complete, consistent and safe to review.

:func:`check_path` scans a folder, gathers the scanner's and the readers' findings,
checks every file against its IOD, and adds the checks that need several objects
(references, patients, frames of reference, dose against plan and structures,
contours against images, records against plans).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from rtviewer.dicom.check.collector import ISSUE_SEVERITIES, Collector
from rtviewer.dicom.check.contour_checks import check_contours
from rtviewer.dicom.check.dose_checks import check_doses
from rtviewer.dicom.check.file_checks import check_duplicates, check_files
from rtviewer.dicom.check.identity_checks import check_identities
from rtviewer.dicom.check.index_checks import check_index
from rtviewer.dicom.check.invalid_values import name_invalid_values
from rtviewer.dicom.check.objects import ObjectStore
from rtviewer.dicom.check.record_checks import check_records
from rtviewer.dicom.scan import scan
from rtviewer.errors import NotDicomError
from rtviewer.model.check import CheckReport
from rtviewer.model.findings import Finding, Severity

__all__ = ["check_path", "CheckCancelled", "ISSUE_SEVERITIES"]

Progress = Callable[[str], None]
_log = logging.getLogger(__name__)


class CheckCancelled(Exception):
    """The check was cancelled (the window is closing)."""


def check_path(path: str | Path, *, deep: bool = False, progress: Progress | None = None,
               use_cache: bool = True, cancel: Callable[[], bool] | None = None,
               extra: Callable[[ObjectStore, Collector], None] | None = None) -> CheckReport:
    """Check a folder (or one file) of DICOM-RT data.

    Parameters
    ----------
    path : str or Path
        A folder, scanned recursively, or one file.
    deep : bool, keyword-only
        Also run dicom3tools' ``dciodvfy`` on every file when it is installed.
    progress : callable(str), optional
        Told the name of each stage as it starts.
    use_cache : bool, keyword-only
        Use and update the scanner's per-folder header cache.
    cancel : callable returning bool, keyword-only
        Polled between stages and files; when it returns True the check stops.
    extra : callable(ObjectStore, Collector), keyword-only
        A further stage on the objects read (the plan review of ``--plan-review``),
        run after the cross-object checks; it adds its findings to the collector.

    Returns
    -------
    CheckReport
        Paths relative to the folder (for a file: to its folder).

    Raises
    ------
    rtviewer.errors.UnreadableFileError
        ``path`` does not exist or cannot be read.
    rtviewer.errors.NotDicomError
        ``path`` is a single file that is not a DICOM object.
    CheckCancelled
        ``cancel`` returned True.
    """
    def stage(name: str) -> None:
        if cancel is not None and cancel():
            raise CheckCancelled(name)
        if progress is not None:
            progress(name)

    stage("scanning")
    result = scan(path, use_cache=use_cache, cancel=cancel)
    if Path(path).is_file() and not result.instances() and not result.problems:
        reason = result.skipped[0].reason if result.skipped else "not a DICOM file"
        raise NotDicomError(f"nothing to check: {reason}", path=path)
    out = Collector(result.root)
    stage("checking files against their IODs")
    # first: its file-level findings (NO_FILE_META...) carry assumptions
    _guarded(out, "IOD conformance", check_files, result, out, cancel)
    stage("checking the index")
    _guarded(out, "index", check_index, result, out)
    _guarded(out, "duplicate UID", check_duplicates, result, out)
    _guarded(out, "patient identity", check_identities, result, out)
    stage("reading RT objects")
    store = ObjectStore(result, out)
    store.read_all(cancel)
    stage("cross-object checks")
    _guarded(out, "dose", check_doses, store, out)
    _guarded(out, "contour", check_contours, result, store, out)
    _guarded(out, "treatment record", check_records, store, out)
    _guarded(out, "attribute naming", name_invalid_values, out)
    if extra is not None:
        stage("plan review")
        _guarded(out, "plan review", extra, store, out)
    if deep:
        from rtviewer.dicom.check.deep import check_with_dciodvfy

        stage("running dciodvfy")
        _guarded(out, "dciodvfy", check_with_dciodvfy, result, out)
    return out.report()


def _guarded(out: Collector, name: str, check: Callable[..., None], *args: object) -> None:
    """Run one stage; an unexpected failure becomes a finding, not a traceback."""
    try:
        check(*args)
    except CheckCancelled:
        raise
    except Exception as exc:  # noqa: BLE001 - folders never seen must not crash the check
        _log.exception("the %s check failed", name)
        out.add(Finding(
            "CHECK_INCOMPLETE", f"The {name} check stopped on an unexpected problem "
            f"({type(exc).__name__}: {exc}); its findings may be incomplete.",
            Severity.WARNING, assumption="the other checks went on"), out.root, None)
