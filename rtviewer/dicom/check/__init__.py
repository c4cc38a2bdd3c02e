"""``rtviewer check``: is this folder complete, consistent and safe to review.

:func:`check_path` scans a folder, gathers the scanner's and the readers' findings,
checks every file against its IOD, and adds the checks that need several objects
(references, patients, frames of reference, dose against plan and structures,
contours against images, records against plans).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rtviewer.dicom.check.collector import ISSUE_SEVERITIES, Collector
from rtviewer.dicom.check.contour_checks import check_contours
from rtviewer.dicom.check.dose_checks import check_doses
from rtviewer.dicom.check.file_checks import check_duplicates, check_files
from rtviewer.dicom.check.index_checks import check_index
from rtviewer.dicom.check.invalid_values import name_invalid_values
from rtviewer.dicom.check.objects import ObjectStore
from rtviewer.dicom.check.record_checks import check_records
from rtviewer.dicom.scan import scan
from rtviewer.model.check import CheckReport

__all__ = ["check_path", "ISSUE_SEVERITIES"]

Progress = Callable[[str], None]


def check_path(path: str | Path, *, deep: bool = False, progress: Progress | None = None,
               use_cache: bool = True) -> CheckReport:
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

    Returns
    -------
    CheckReport
        Paths relative to the folder (for a file: to its folder).

    Raises
    ------
    rtviewer.errors.UnreadableFileError
        ``path`` does not exist or cannot be read.
    """
    def stage(name: str) -> None:
        if progress is not None:
            progress(name)

    stage("scanning")
    result = scan(path, use_cache=use_cache)
    out = Collector(result.root)
    stage("checking files against their IODs")
    check_files(result, out)  # first: its file-level findings carry assumptions
    stage("checking the index")
    check_index(result, out)
    check_duplicates(result, out)
    stage("reading RT objects")
    store = ObjectStore(result, out)
    store.read_all()
    stage("cross-object checks")
    check_doses(store, out)
    check_contours(result, store, out)
    check_records(store, out)
    name_invalid_values(out)
    if deep:
        from rtviewer.dicom.check.deep import check_with_dciodvfy

        stage("running dciodvfy")
        check_with_dciodvfy(result, out)
    return out.report()
