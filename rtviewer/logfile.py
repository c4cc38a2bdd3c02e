r"""The log file every rtviewer window writes, so start-up errors are never lost.

Lives in the user's log directory (``platformdirs.user_log_dir``: on Linux
``~/.local/state/rtviewer/log``, on Windows ``%LOCALAPPDATA%\rtviewer\Logs``, on
macOS ``~/Library/Logs/rtviewer``); ``RTVIEWER_LOG_DIR`` overrides it. No Qt here.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from pathlib import Path

import platformdirs

LOG_NAME = "rtviewer.log"
_FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"


def log_dir() -> Path:
    """Return the folder for rtviewer's log files (``RTVIEWER_LOG_DIR`` wins)."""
    configured = os.environ.get("RTVIEWER_LOG_DIR")
    if configured:
        return Path(configured)
    return Path(platformdirs.user_log_dir("rtviewer", appauthor=False))


def configure_logging(directory: Path | None = None, *, level: int = logging.INFO
                      ) -> Path | None:
    """Send log records of level ``level`` and above to a rotating file; return its path.

    Idempotent: a second call for the same file adds no second handler. Rotates at
    1 MiB keeping three old files, so a long-running viewer never fills the disk.
    Where the file cannot be written (``HOME`` read-only, a full disk), records go
    to stderr instead, which is said once on stderr, and None is returned.
    """
    folder = log_dir() if directory is None else directory
    path = folder / LOG_NAME
    root = logging.getLogger()
    for existing in root.handlers:
        if isinstance(existing, logging.FileHandler) and Path(existing.baseFilename) == path:
            return path
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=1 << 20, backupCount=3, encoding="utf-8"
        )
    except OSError as exc:
        handler = _stderr_handler(path, exc)
        written: Path | None = None
    else:
        written = path
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler.setLevel(level)
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
    return written


class _StderrFallback(logging.StreamHandler):  # type: ignore[type-arg,unused-ignore]
    """The stderr handler used when the log file cannot be written (one per process)."""


def _stderr_handler(path: Path, exc: OSError) -> logging.Handler:
    """A stderr handler, announced once (a second call reuses the first)."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, _StderrFallback):
            logging.getLogger().removeHandler(handler)
            return handler
    reason = exc.strerror or str(exc)
    print(f"rtviewer: cannot write the log file {path} ({reason}); logging to stderr",
          file=sys.stderr, flush=True)
    return _StderrFallback(sys.stderr)
