"""Reading a :class:`Chain` into a :class:`Scene`, with progress, in a worker thread.

One object failing to read never loses the others: its error becomes a
problem line (file + reason) and the scene shows what did load.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6 import QtCore

from rtviewer.errors import RtViewerError
from rtviewer.view.chain import Chain
from rtviewer.view.scene import Scene

__all__ = ["LoadResult", "LoadWorker", "load_scene"]

Progress = Callable[[int, int, str], None]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadResult:
    """A loaded scene and the objects that could not be read.

    Attributes
    ----------
    scene : Scene
        What loaded.
    problems : tuple of (Path, str)
        File and reason for each object that failed.
    chain : Chain
        What was asked for.
    """

    scene: Scene
    problems: tuple[tuple[Path, str], ...]
    chain: Chain


def _reader(module: str, name: str) -> Callable[..., object]:
    # the readers are imported on first use: the window's first paint needs none
    return getattr(importlib.import_module(f"rtviewer.dicom.{module}"), name)


def load_scene(chain: Chain, progress: Progress | None = None,
               partial: Callable[[LoadResult], None] | None = None) -> LoadResult:
    """Read every object of ``chain``; failures become problems, not exceptions.

    Parameters
    ----------
    chain : Chain
        Paths to read.
    progress : callable, optional
        ``progress(done, total, what)`` after each step.
    partial : callable, optional
        Called with the scene so far before each further object is read (images
        first, structure sets last: contour parsing is the slow part), so the first
        image appears as soon as it is read.
    """
    # (scene key, what the reader takes, module, reader name); a None target is skipped
    steps: list[tuple[str, Any, str, str]] = [
        ("image", chain.image_paths or None, "image", "read_image_volume"),
        ("dose", chain.dose, "dose", "read_dose"),
        ("plan", chain.plan, "plan", "read_plan"),
        ("structures", chain.structures, "structure", "read_structure_set")]
    steps = [s for s in steps if s[1] is not None]
    loaded: dict[str, object] = {}
    problems: list[tuple[Path, str]] = []
    for done, (key, target, module, name) in enumerate(steps):
        if progress is not None:
            progress(done, len(steps), f"reading {key}")
        if partial is not None and loaded:
            partial(_result(loaded, problems, chain))
        try:
            loaded[key] = _reader(module, name)(target)
        except (RtViewerError, ValueError, OSError) as exc:
            path = target[0] if isinstance(target, tuple) else target
            problems.append((Path(getattr(exc, "path", None) or path), str(exc)))
        except Exception as exc:  # noqa: BLE001 - the loading boundary: never lose the rest
            path = target[0] if isinstance(target, tuple) else target
            log.exception("unexpected error reading %s", path)
            problems.append((Path(path), f"unexpected error ({type(exc).__name__}: {exc}); "
                                         "see the log file"))
    if progress is not None:
        progress(len(steps), len(steps), "done")
    return _result(loaded, problems, chain)


def _result(loaded: dict[str, object], problems: list[tuple[Path, str]],
            chain: Chain) -> LoadResult:
    scene = Scene(image=loaded.get("image"), structures=loaded.get("structures"),  # type: ignore[arg-type]
                  dose=loaded.get("dose"), plan=loaded.get("plan"))  # type: ignore[arg-type]
    return LoadResult(scene, tuple(problems), chain)


class LoadWorker(QtCore.QThread):
    """Runs :func:`load_scene` off the GUI thread.

    Signals
    -------
    progress(int, int, str)
        Done, total and what is being read.
    partial(object)
        A :class:`LoadResult` still lacking the plan or structures (see :func:`load_scene`).
    loaded(object)
        The :class:`LoadResult`.
    """

    progress = QtCore.Signal(int, int, str)
    partial = QtCore.Signal(object)
    loaded = QtCore.Signal(object)

    def __init__(self, chain: Chain, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.chain = chain

    def run(self) -> None:  # noqa: D102 - QThread entry point
        result = load_scene(self.chain, lambda d, t, w: self.progress.emit(d, t, w),
                            self.partial.emit)
        self.loaded.emit(result)
