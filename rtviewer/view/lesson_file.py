"""Lesson files: YAML on disk, and the lessons shipped with rtviewer.

The format is described in ``docs/LESSONS.md``; the model and its checks are
:mod:`rtviewer.view.lesson`. A lesson file ends in ``.rtlesson.yaml`` (its MIME
type, ``application/x-rtviewer-lesson``, lets a double-click open it in rtviewer).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml

from rtviewer.view.lesson import Lesson, LessonError, lesson_from_mapping, lesson_to_mapping
from rtviewer.view.lesson_name import LESSON_SUFFIX, is_lesson_file

__all__ = ["LESSON_SUFFIX", "builtin_lesson_paths", "is_lesson_file", "read_lesson",
           "read_lesson_text", "write_lesson"]

def read_lesson_text(text: str, source: str) -> Lesson:
    """Parse a lesson's YAML ``text``; errors name ``source`` (a file name)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise LessonError(f"{source}: not valid YAML: {exc}") from None
    try:
        return lesson_from_mapping(data)
    except LessonError as exc:
        raise LessonError(f"{source}: {exc}") from None


def read_lesson(path: str | Path) -> Lesson:
    """Read a lesson file; :class:`LessonError` names the file and the step at fault."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LessonError(f"{path}: cannot read the lesson: {exc}") from None
    return read_lesson_text(text, str(path))


def write_lesson(lesson: Lesson, path: str | Path) -> Path:
    """Write ``lesson`` as YAML to ``path`` (the suffix added when missing); return it.

    Captions keep their line breaks (YAML block scalars), so the file stays
    editable by hand.
    """
    path = Path(path)
    if not is_lesson_file(path):
        path = path.with_name(path.name + LESSON_SUFFIX)
    text = yaml.dump(lesson_to_mapping(lesson), Dumper=_BlockDumper, sort_keys=False,
                     allow_unicode=True, width=88)
    path.write_text(text, encoding="utf-8")
    return path


class _BlockDumper(yaml.SafeDumper):
    """Multi-line strings as ``|`` blocks; short lists (positions, levels) on one line."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _list(dumper: yaml.SafeDumper, value: list[object]) -> yaml.Node:
    flow = all(isinstance(v, (int, float, str)) and len(str(v)) < 24 for v in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


_BlockDumper.add_representer(str, _str)
_BlockDumper.add_representer(list, _list)


def builtin_lesson_paths() -> list[Path]:
    """The lessons shipped in ``rtviewer/resources/lessons``, sorted by file name."""
    folder = resources.files("rtviewer.resources") / "lessons"
    return sorted((Path(str(entry)) for entry in folder.iterdir()
                   if is_lesson_file(entry.name)), key=lambda p: p.name)
