"""What "open this path" means: the folder to scan and the file to select in it.

A desktop hands rtviewer a folder or any file inside one (double-click a ``.dcm``,
"Open With" on a slice, a file dropped on the Dock icon). A single file is never
the whole story in DICOM-RT -- its plan, structures and dose sit beside it -- so a
file opens its containing folder and selects the patient holding that file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from rtviewer.model.index import Patient, ScanResult


@dataclass(frozen=True)
class OpenTarget:
    """The folder to scan for one opened path.

    Attributes
    ----------
    folder : Path
        Absolute folder to scan.
    selected_file : Path or None
        The file the user opened (absolute), whose patient the tree should
        select once the scan is done; None when a folder was opened.
    """

    folder: Path
    selected_file: Path | None


def open_target(path: str | os.PathLike[str]) -> OpenTarget:
    """Map a path (or ``file://`` URL) opened from the desktop to the folder to scan.

    Parameters
    ----------
    path : str or path-like
        A folder, a file inside one, a DICOMDIR, or a ``file://`` URL of either.

    Returns
    -------
    OpenTarget
        Folders map to themselves; files (DICOMDIR included) to their parent
        folder, with the file kept as ``selected_file`` (None for DICOMDIR, which
        names the whole media).

    Examples
    --------
    >>> open_target("/").folder == Path("/").resolve()
    True
    """
    text = os.fspath(path)
    if text.startswith("file://"):
        text = unquote(urlparse(text).path)
    resolved = Path(text).expanduser().resolve()
    if resolved.is_dir():
        return OpenTarget(resolved, None)
    selected = None if resolved.name.upper() == "DICOMDIR" else resolved
    return OpenTarget(resolved.parent, selected)


def patient_containing(result: ScanResult, file: str | os.PathLike[str]) -> Patient | None:
    """Return the patient of ``result`` holding ``file`` (an :attr:`OpenTarget.selected_file`).

    Paths are compared resolved, whether the index keeps them absolute or relative
    to ``result.root``. None when the file is not an indexed instance (skipped or a
    problem file): the tree then selects nothing rather than a wrong patient.
    """
    wanted = Path(file).resolve()
    for patient in result.patients:
        for study in patient.studies:
            for series in study.series:
                for instance in series.instances:
                    if (Path(result.root) / instance.path).resolve() == wanted:
                        return patient
    return None
