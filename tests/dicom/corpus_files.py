"""Find corpus files by SOP Class with a small header-only pydicom walk (cached per session)."""

from __future__ import annotations

import functools
import os
import warnings
from collections import defaultdict
from pathlib import Path

import pydicom
from testsupport import corpus_root

CT = "1.2.840.10008.5.1.4.1.1.2"
MR = "1.2.840.10008.5.1.4.1.1.4"
PET = "1.2.840.10008.5.1.4.1.1.128"
RT_IMAGE = "1.2.840.10008.5.1.4.1.1.481.1"
RT_DOSE = "1.2.840.10008.5.1.4.1.1.481.2"
RT_STRUCT = "1.2.840.10008.5.1.4.1.1.481.3"
IMAGE_CLASSES = {CT, MR, PET, "1.2.840.10008.5.1.4.1.1.2.1", "1.2.840.10008.5.1.4.1.1.4.1",
                 "1.2.840.10008.5.1.4.1.1.128.1"}


@functools.cache
def _headers() -> tuple[tuple[Path, str, str, str], ...]:
    """(path, SOP Class UID, Series Instance UID, orientation key) of every DICOM file."""
    root = corpus_root()
    found = []
    if not root.is_dir():
        return ()
    for dirpath, _dirs, names in os.walk(root):
        for name in sorted(names):
            path = Path(dirpath) / name
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    ds = pydicom.dcmread(path, force=True, stop_before_pixels=True,
                                         specific_tags=["SOPClassUID", "SeriesInstanceUID",
                                                        "ImageOrientationPatient"])
                except Exception:
                    continue
                sop_class = str(ds.get("SOPClassUID", ""))
                orientation = ds.get("ImageOrientationPatient")
                key = "" if orientation is None else ",".join(
                    f"{float(v):.3f}" for v in orientation)
                found.append((path, sop_class, str(ds.get("SeriesInstanceUID", "")), key))
    return tuple(sorted(found))


def files_of(sop_class: str) -> list[Path]:
    """Corpus files of one SOP Class, sorted."""
    return [p for p, c, _s, _o in _headers() if c == sop_class]


def image_series() -> dict[str, list[Path]]:
    """Image files grouped by folder and Series Instance UID, keyed by a readable id."""
    groups: dict[str, list[Path]] = defaultdict(list)
    root = corpus_root()
    for path, sop_class, series, _o in _headers():
        if sop_class in IMAGE_CLASSES:
            groups[f"{path.parent.relative_to(root)}:{series[-12:]}"].append(path)
    return dict(groups)


def ids(paths: list[Path]) -> list[str]:
    """Readable test ids relative to the corpus."""
    root = corpus_root()
    return [str(p.relative_to(root)) for p in paths]
