"""Open one DICOM file the way every reader needs: forgiving, with warnings captured.

This is the only place that calls :func:`pydicom.dcmread` for whole objects.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.errors import InvalidDicomError
from pydicom.uid import UID, ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian

from rtviewer.errors import NotDicomError, UnreadableFileError
from rtviewer.model.findings import Finding, Severity

__all__ = ["read_dataset", "looks_like_dicom"]


def looks_like_dicom(ds: Dataset) -> bool:
    """Whether a force-read dataset is plausibly DICOM rather than parsed junk."""
    return "SOPClassUID" in ds or "SOPInstanceUID" in ds or "Modality" in ds


def read_dataset(path: str | Path, *, stop_before_pixels: bool = False,
                 specific_tags: list[str] | None = None,
                 defer_size: int | str | None = None) -> tuple[Dataset, list[Finding]]:
    """Read a DICOM file, tolerating a missing preamble or file meta.

    Parameters
    ----------
    path : str or Path
        The file.
    stop_before_pixels : bool, keyword-only
        Stop before Pixel Data (headers only).
    specific_tags : list of str, keyword-only
        Read only these keywords (plus what pydicom always reads).
    defer_size : int or str, keyword-only
        Values larger than this are not read until accessed (e.g. ``"16 KB"``).

    Returns
    -------
    dataset : pydicom.Dataset
        The dataset; when the file had no Transfer Syntax, its file meta is set
        to Implicit VR Little Endian (the DICOM default) so pixels decode.
    findings : list of Finding
        pydicom's warnings for this file and ``NO_FILE_META`` when applicable.

    Raises
    ------
    NotDicomError
        The file is not DICOM.
    UnreadableFileError
        The file cannot be read or parsed (permissions, truncation, corruption).
    """
    path = Path(path)
    findings: list[Finding] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            ds = pydicom.dcmread(path, force=True, stop_before_pixels=stop_before_pixels,
                                 specific_tags=specific_tags, defer_size=defer_size)
        except PermissionError as exc:
            raise UnreadableFileError(f"permission denied ({exc.strerror})", path=path) from exc
        except IsADirectoryError as exc:
            raise NotDicomError("this is a folder, not a file", path=path) from exc
        except OSError as exc:
            raise UnreadableFileError(f"cannot read the file ({exc})", path=path) from exc
        except InvalidDicomError as exc:
            raise NotDicomError(f"not a DICOM file ({exc})", path=path) from exc
        except Exception as exc:  # pydicom raises many kinds on corrupt data
            raise UnreadableFileError(
                f"the file is damaged or truncated and cannot be parsed "
                f"({type(exc).__name__}: {exc})", path=path) from exc
    for w in caught:
        findings.append(Finding("PYDICOM_WARNING", str(w.message), Severity.INFO))
    if not looks_like_dicom(ds):
        raise NotDicomError("not a DICOM file (no SOP Class, SOP Instance or Modality)", path=path)
    meta = getattr(ds, "file_meta", None)
    if meta is None or "TransferSyntaxUID" not in meta:
        syntax = _syntax_of(ds)
        assumed = ("Implicit VR Little Endian, the DICOM default"
                   if syntax == ImplicitVRLittleEndian
                   else f"{syntax.name}, the encoding found in the data")
        findings.append(Finding(
            "NO_FILE_META", "The file has no DICOM file meta information (no Transfer Syntax).",
            Severity.INFO, attribute="TransferSyntaxUID", assumption=assumed))
        if meta is None:
            meta = FileMetaDataset()
            ds.file_meta = meta
        meta.TransferSyntaxUID = syntax
    return ds, findings


def _syntax_of(ds: Dataset) -> UID:
    """The uncompressed syntax pydicom found the data in (Implicit VR LE when unknown).

    Labelling an Explicit VR file Implicit would make a sender refuse it (pynetdicom
    checks that the dataset's encoding matches its Transfer Syntax).
    """
    implicit, little = getattr(ds, "original_encoding", (None, None))
    if implicit is False:
        return ExplicitVRLittleEndian if little is not False else ExplicitVRBigEndian
    return ImplicitVRLittleEndian
