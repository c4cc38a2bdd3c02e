"""Reading a :class:`Chain` into a :class:`Scene`, with progress, in a worker thread.

One object failing to read never loses the others: its error becomes a
problem line (file + reason) and the scene shows what did load.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from PySide6 import QtCore

from rtviewer.dicom import readers
from rtviewer.errors import RtViewerError
from rtviewer.model.dose import Dose
from rtviewer.model.image import ImageVolume
from rtviewer.model.plan import Plan
from rtviewer.model.structure import StructureSet
from rtviewer.view.chain import Chain
from rtviewer.view.scene import Scene

__all__ = ["LoadResult", "LoadWorker", "load_scene"]

Progress = Callable[[int, int, str], None]
S = TypeVar("S")
T = TypeVar("T")

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
    run = _Run(chain, progress, partial)
    run.image = run.read("image", readers.IMAGE_SERIES, chain.image_paths or None)
    run.dose = run.read("dose", readers.DOSE, chain.dose)
    run.plan = run.read("plan", readers.PLAN, chain.plan)
    run.structures = run.read("structures", readers.STRUCTURE_SET, chain.structures)
    if progress is not None:
        progress(run.total, run.total, "done")
    return run.result()


class _Run:
    """One load: the objects read so far, the problems, and the step count for progress."""

    def __init__(self, chain: Chain, progress: Progress | None,
                 partial: Callable[[LoadResult], None] | None) -> None:
        self.chain, self.progress, self.partial = chain, progress, partial
        self.image: ImageVolume | None = None
        self.dose: Dose | None = None
        self.plan: Plan | None = None
        self.structures: StructureSet | None = None
        self.problems: list[tuple[Path, str]] = []
        self.done = 0
        self.total = sum(1 for t in (chain.image_paths or None, chain.dose, chain.plan,
                                     chain.structures) if t is not None)

    def result(self) -> LoadResult:
        """What is read so far, as a new scene (a scene's caches belong to its objects)."""
        scene = Scene(image=self.image, structures=self.structures, dose=self.dose,
                      plan=self.plan)
        return LoadResult(scene, tuple(self.problems), self.chain)

    def read(self, what: str, reader: readers.ObjectReader[S, T], target: S | None) -> T | None:
        """``reader.read(target)``; None when there is no target or it fails (a problem)."""
        if target is None:
            return None
        if self.progress is not None:
            self.progress(self.done, self.total, f"reading {what}")
        if self.partial is not None and self.done:
            self.partial(self.result())
        self.done += 1
        path = Path(str(target[0] if isinstance(target, tuple) else target))  # for problems
        try:
            return reader.read(target)
        except (RtViewerError, ValueError, OSError) as exc:
            self.problems.append((Path(getattr(exc, "path", None) or path), str(exc)))
        except Exception as exc:  # noqa: BLE001 - the loading boundary: never lose the rest
            log.exception("unexpected error reading %s", path)
            self.problems.append((path, f"unexpected error ({type(exc).__name__}: "
                                              f"{exc}); see the log file"))
        return None


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
