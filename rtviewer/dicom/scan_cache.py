"""The scan's index cache: per-file records, valid while size and mtime are unchanged.

One JSON file per scanned root in the user's cache directory (platformdirs;
``RTVIEWER_CACHE_DIR`` overrides it), written atomically (temporary file, then
``os.replace``). Never written inside the scanned folder. JSON rather than pickle: a
cache file must never be able to run code, and a corrupt or old one is just ignored.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["cache_dir", "cache_file", "load_cache", "save_cache", "CACHE_VERSION"]

#: Bump when the record layout changes: older caches are then ignored.
CACHE_VERSION = 1
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


def save_cache(root: str, files: dict[str, Entry]) -> Path | None:
    """Write the cache for ``root`` atomically; return its path (None when not written).

    Nothing is written when the cache folder lies inside the scanned folder, or when
    writing fails (a read-only home, a full disk): the cache only makes things faster.
    """
    target = cache_file(root)
    if _inside(target.parent, Path(root)):
        _log.info("not writing the scan cache inside the scanned folder %s", root)
        return None
    payload = {"version": _version(), "root": os.path.abspath(root), "files": files}
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".scan-", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fp:
                # dumps (the C encoder), not dump: dump streams through Python chunks.
                fp.write(json.dumps(payload, separators=(",", ":")))
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError as exc:
        _log.warning("could not write the scan cache %s: %s", target, exc)
        return None
    return target
