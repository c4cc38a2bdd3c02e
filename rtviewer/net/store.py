"""Where a received object goes: ``STORE/<Study>/<Series>/<SOPInstance>.dcm``, atomically.

An object whose file bytes differ from the stored one but whose dataset is the same
(another transfer syntax: Implicit VR from a planning system, Explicit VR from a PACS)
is the same object, already present, not a duplicate.

Names come from UIDs the *peer* sent, so they are never trusted: a value that is not
a valid UID (``UNKNOWN`` in the corpus, ``../x``, ``/etc/x``, 65+ characters, NULs)
becomes ``h<first 16 hex of its SHA-1>`` and cannot leave the store. Files are written
under ``STORE/.incoming`` and ``os.replace``d into place, so a reader never sees half
an object and an interrupted write leaves nothing in the tree.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["INCOMING", "StoredFile", "safe_component", "store_bytes", "clean_incoming"]

#: Folder under the store holding files being written (emptied at start-up).
INCOMING = ".incoming"
_NAMING = threading.Lock()
_UID = re.compile(r"^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$")


@dataclass(frozen=True)
class StoredFile:
    """A stored object.

    Parameters
    ----------
    path : Path
        Where it now lives.
    duplicate_of : Path or None
        An existing *different* object with the same SOP Instance UID (this one
        then carries the ``.<sha1-8>`` suffix).
    already_present : bool
        The same object was already stored under this name (nothing written): the
        same bytes, or the same dataset in another encoding.
    """

    path: Path
    duplicate_of: Path | None = None
    already_present: bool = False


def safe_component(uid: object) -> str:
    """A file-name component for a UID from the network.

    Valid UIDs (digits and dots, no leading zeros, at most 64 characters) are kept;
    anything else becomes ``h`` + the first 16 hex digits of the SHA-1 of its text.

    Examples
    --------
    >>> safe_component("1.2.840.10008.1.1")
    '1.2.840.10008.1.1'
    >>> safe_component("../x")
    'h72e4d01dd8ef43d8'
    """
    text = "" if uid is None else str(uid).strip("\x00 ")
    if 0 < len(text) <= 64 and _UID.match(text):
        return text
    return "h" + hashlib.sha1(text.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def clean_incoming(store: Path) -> int:
    """Delete leftovers of interrupted writes; return how many were removed."""
    folder = store / INCOMING
    removed = 0
    if folder.is_dir():
        for leftover in folder.iterdir():
            leftover.unlink(missing_ok=True)
            removed += 1
    return removed


def store_bytes(store: Path, data: bytes, study_uid: object, series_uid: object,
                sop_instance_uid: object, *,
                same_object: Callable[[Path], bool] | None = None) -> StoredFile:
    """Write one encoded DICOM file (preamble, file meta, dataset) into the store.

    Parameters
    ----------
    store : Path
        The store root (created if absent).
    data : bytes
        The complete file as it will be on disk.
    study_uid, series_uid, sop_instance_uid : object
        The values the peer sent (any type; validated here).
    same_object : callable(Path) -> bool, keyword-only, optional
        Whether a stored file with other bytes holds the same dataset (asked only
        when the bytes differ); without it, other bytes mean another object.

    Returns
    -------
    StoredFile
    """
    folder = store / safe_component(study_uid) / safe_component(series_uid)
    name = safe_component(sop_instance_uid)
    digest = hashlib.sha1(data).hexdigest()
    tmp = _write_temporary(store / INCOMING, data)  # the slow part, outside the lock
    try:
        with _NAMING:  # choosing the name and moving in are one step per object
            stored = _place(folder, name, digest, same_object)
            if not stored.already_present:
                folder.mkdir(parents=True, exist_ok=True)
                os.replace(tmp, stored.path)
    finally:
        tmp.unlink(missing_ok=True)
    return stored


def _place(folder: Path, name: str, digest: str,
           same_object: Callable[[Path], bool] | None) -> StoredFile:
    """Where an object with SHA-1 ``digest`` goes (or is already)."""
    target = folder / f"{name}.dcm"
    if not target.exists():
        return StoredFile(target)
    if _sha1_of(target) == digest or (same_object is not None and same_object(target)):
        return StoredFile(target, already_present=True)
    twin = folder / f"{name}.{digest[:8]}.dcm"
    return StoredFile(twin, target, already_present=twin.exists() and _sha1_of(twin) == digest)


def _write_temporary(incoming: Path, data: bytes) -> Path:
    """``data`` in a new file under ``incoming``, flushed to disk."""
    incoming.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=incoming, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _sha1_of(path: Path) -> str:
    digest = hashlib.sha1()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
