"""How a lesson file is named: told apart from a DICOM folder before PyYAML is imported.

The window asks this of every path it opens at start-up; reading a lesson
(:mod:`rtviewer.view.lesson_file`) imports PyYAML, which the first image does not need.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["LESSON_SUFFIX", "is_lesson_file"]

#: What a lesson file's name ends with.
LESSON_SUFFIX = ".rtlesson.yaml"


def is_lesson_file(path: str | Path) -> bool:
    """Whether ``path`` is named as a lesson file (``*.rtlesson.yaml``)."""
    return str(path).lower().endswith(LESSON_SUFFIX)
