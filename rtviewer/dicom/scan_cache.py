"""The scan's index cache: per-file records, valid while size and mtime are unchanged.

Per scanned root, in the user's cache directory (platformdirs; ``RTVIEWER_CACHE_DIR``
overrides it), written atomically (temporary file, then ``os.replace``), never inside
the scanned folder:

* ``<hash>.json``: the per-file records (path -> size, mtime, record). A corrupt or
  old one is ignored and the files are read again.
* ``<hash>.index.pickle``: the finished index, used only when every file's (path,
  size, mtime) is exactly as when it was written -- re-opening an unchanged folder
  then costs a directory walk and one load. It is pickle (the index holds Paths and
  dataclasses) in a folder only the user can write (files are created 0600), the same
  trust as the user's own Python environment; any failure to load it is ignored.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["cache_dir", "cache_file", "load_cache", "save_cache", "load_index", "save_index",
           "CACHE_VERSION"]

#: Bump when the record layout changes: older caches are then ignored.
CACHE_VERSION = 3  # 3: files without SOP Class UID carry MISSING_SOP_CLASS_UID
_log = logging.getLogger(__name__)
Entry = dict[str, Any]


def _version() -> str:
    """Cache layout and rtviewer version: a new release re-reads (summaries may change)."""
    from rtviewer import __version__

    return f"{CACHE_VERSION}/{__version__}"


def cache_dir() -> Path:
    """The folder holding scan caches (``RTVIEWER_CACHE_DIR`` or the user cache dir)."""
    override = os.environ.get("RTVIEWER_CACHE_DIR")
    if override:
        return Path(override) / "scan-index"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("rtviewer")) / "scan-index"


def cache_file(root: str) -> Path:
    """The cache file for one scanned root (named by a hash of its absolute path)."""
    digest = hashlib.sha256(os.path.abspath(root).encode("utf-8", "surrogateescape"))
    return cache_dir() / f"{digest.hexdigest()[:24]}.json"


def load_cache(root: str) -> dict[str, Entry]:
    """Return path -> {"size", "mtime_ns", "record"} for ``root``; empty when absent/invalid."""
    path = cache_file(root)
    try:
        with open(path, encoding="utf-8") as fp:
            data = json.load(fp)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        _log.warning("ignoring unreadable scan cache %s: %s", path, exc)
        return {}
    if not isinstance(data, dict) or data.get("version") != _version() \
            or data.get("root") != os.path.abspath(root):
        return {}
    files = data.get("files")
    return files if isinstance(files, dict) else {}


def _inside(child: Path, parent: Path) -> bool:
    try:
        child.resolve().relative_to(parent.resolve())
    except (ValueError, OSError):
        return False
    return True


def _write_atomic(target: Path, data: bytes, root: str) -> Path | None:
    """Write ``data`` to ``target`` via a temporary file; None when not written."""
    if _inside(target.parent, Path(root)):
        _log.info("not writing the scan cache inside the scanned folder %s", root)
        return None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".scan-", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as fp:
                fp.write(data)
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError as exc:
        _log.warning("could not write the scan cache %s: %s", target, exc)
        return None
    return target


def save_cache(root: str, files: dict[str, Entry]) -> Path | None:
    """Write the per-file records for ``root`` atomically; return the path (None if not).

    Nothing is written when the cache folder lies inside the scanned folder, or when
    writing fails (a read-only home, a full disk): the cache only makes things faster.
    """
    payload = {"version": _version(), "root": os.path.abspath(root), "files": files}
    # dumps (the C encoder), not dump: dump streams through Python chunks.
    data = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    return _write_atomic(cache_file(root), data, root)


def _index_file(root: str) -> Path:
    return cache_file(root).with_suffix(".index.pickle")


def save_index(root: str, fingerprint: object, result: object) -> Path | None:
    """Store the finished index of ``root`` with the fingerprint of the files it saw."""
    data = pickle.dumps((_version(), os.path.abspath(root), fingerprint, result),
                        protocol=pickle.HIGHEST_PROTOCOL)
    return _write_atomic(_index_file(root), data, root)


def load_index(root: str, fingerprint: object) -> object | None:
    """The stored index of ``root`` if its fingerprint equals ``fingerprint``, else None."""
    path = _index_file(root)
    try:
        with open(path, "rb") as fp:
            version, stored_root, stored_fingerprint, result = pickle.load(fp)
    except FileNotFoundError:
        return None
    except Exception as exc:  # noqa: BLE001 - any damaged cache is just ignored
        _log.warning("ignoring unreadable scan index %s: %s", path, exc)
        return None
    if version != _version() or stored_root != os.path.abspath(root) \
            or stored_fingerprint != fingerprint:
        return None
    stored: object = result
    return stored
