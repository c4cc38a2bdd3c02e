r"""The log file every rtviewer window writes, so start-up errors are never lost.

Lives in the user's log directory (``platformdirs.user_log_dir``: on Linux
``~/.local/state/rtviewer/log``, on Windows ``%LOCALAPPDATA%\rtviewer\Logs``, on
macOS ``~/Library/Logs/rtviewer``); ``RTVIEWER_LOG_DIR`` overrides it. No Qt here.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
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


def configure_logging(directory: Path | None = None, *, level: int = logging.INFO) -> Path:
    """Send log records of level ``level`` and above to a rotating file; return its path.

    Idempotent: a second call for the same file adds no second handler. Rotates at
    1 MiB keeping three old files, so a long-running viewer never fills the disk.
    """
    folder = log_dir() if directory is None else directory
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOG_NAME
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler, logging.FileHandler) and Path(handler.baseFilename) == path:
            return path
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=1 << 20, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler.setLevel(level)
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
    return path
