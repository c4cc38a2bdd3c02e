"""Reading a :class:`Chain` into a :class:`Scene`, without Qt.

The window's load worker (:mod:`rtviewer.ui.workers.loader`) and the start-up
loader's forked child (:mod:`rtviewer.ui.workers.prefetch`) both run it.

One object failing to read never loses the others: its error becomes a
problem line (file + reason) and the scene shows what did load.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from rtviewer.dicom import readers
from rtviewer.dicom.patient_header import PatientHeader, read_patient_header
from rtviewer.errors import RtViewerError
from rtviewer.model.dose import Dose
from rtviewer.model.image import ImageVolume
from rtviewer.model.plan import Plan
from rtviewer.model.structure import StructureSet
from rtviewer.view.chain import Chain
from rtviewer.view.scene import Scene

__all__ = ["LoadResult", "load_scene", "patient_headers"]

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
    headers : mapping of Path to PatientHeader
        Who the chain's plan, dose, structure set and first image belong to (read
        with the objects, off the GUI thread: the window's patient banner).
    """

    scene: Scene
    problems: tuple[tuple[Path, str], ...]
    chain: Chain
    headers: Mapping[Path, PatientHeader] = field(default_factory=dict)


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
    run.headers = patient_headers(chain)
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
        self.headers: dict[Path, PatientHeader] = {}
        self.done = 0
        self.total = sum(1 for t in (chain.image_paths or None, chain.dose, chain.plan,
                                     chain.structures) if t is not None)

    def result(self) -> LoadResult:
        """What is read so far, as a new scene (a scene's caches belong to its objects)."""
        scene = Scene(image=self.image, structures=self.structures, dose=self.dose,
                      plan=self.plan)
        return LoadResult(scene, tuple(self.problems), self.chain, self.headers)

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


def patient_headers(chain: Chain) -> dict[Path, PatientHeader]:
    """The patient attributes of the chain's plan, dose, structure set and first image.

    What the window's banner names (:mod:`rtviewer.ui.panels.patient_banner`): read
    here, with the objects, so that the GUI thread never parses a header.
    """
    files = (chain.plan, chain.dose, chain.structures, *chain.image_paths[:1])
    return {Path(p): read_patient_header(Path(p)) for p in files if p is not None}
