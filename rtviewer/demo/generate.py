"""Entry points: write the demo patients into a folder, or into the user's cache once."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from threadpoolctl import threadpool_limits

from rtviewer import __version__
from rtviewer.demo.thorax_patient import THORAX_STEPS, write_thorax_patient

__all__ = ["DEFAULT_SEED", "STEPS", "Progress", "cached_demo_dir", "demo_cache_root",
           "ensure_cached_demo", "generate_demo"]

DEFAULT_SEED = 20260105


#: ``progress(done, total, what)``: ``done`` of ``total`` steps finished, ``what`` next.
Progress = Callable[[int, int, str], None]
#: Steps :func:`generate_demo` reports: the thorax patient's, the prostate and HDR patients.
STEPS = (*THORAX_STEPS, "prostate patient", "HDR patient")


def generate_demo(out_dir: Path | str, *, seed: int = DEFAULT_SEED,
                  progress: Progress | None = None) -> list[Path]:
    """Write every demo patient under ``out_dir/<PatientID>/<SOPInstanceUID>.dcm``.

    The output depends only on ``seed`` (and the generator's code): UIDs derive from
    a fixed root and the seed, dates are fixed, noise comes from seeded generators.
    ``progress`` is called before each of :data:`STEPS` and once at the end (it may
    raise to stop). Returns the written files, sorted.
    """
    report = progress or (lambda _done, _total, _what: None)
    done = iter(range(len(STEPS)))

    def step(what: str) -> None:
        report(next(done), len(STEPS), what)

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    # One BLAS thread: the dose engines' small matrix products gain nothing from more on
    # a shared machine (the spinning threads cost more CPU than they save), and the
    # files then do not depend on how many cores the machine has.
    with threadpool_limits(limits=1):
        _write_patients(out, seed, step)
    report(len(STEPS), len(STEPS), "done")
    return sorted(out.rglob("*.dcm"))


def _write_patients(out: Path, seed: int, step: Callable[[str], None]) -> None:
    from rtviewer.demo.brachy_patient import write_brachy_patient
    from rtviewer.demo.prostate_patient import write_prostate_patient

    write_thorax_patient(out, seed, step)
    step(STEPS[-2])
    write_prostate_patient(out, seed)
    step(STEPS[-1])
    write_brachy_patient(out, seed)


def demo_cache_root() -> Path:
    """The rtviewer cache folder: ``$RTVIEWER_CACHE_DIR`` if set, else the platform's.

    The same folder the scan index uses (``platformdirs.user_cache_dir("rtviewer")``,
    e.g. ``~/.cache/rtviewer`` on Linux).
    """
    configured = os.environ.get("RTVIEWER_CACHE_DIR")
    if configured:
        return Path(configured)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("rtviewer"))


def cached_demo_dir() -> Path:
    """Where ``rtviewer --demo`` keeps the demo: ``<cache>/rtviewer/demo/<version>/``."""
    return demo_cache_root() / "demo" / __version__


def ensure_cached_demo(progress: Progress | None = None) -> Path:
    """Generate the demo into the cache unless it is already there; return its folder.

    Generation happens in a temporary sibling folder renamed into place when
    complete, so an interrupted run (or a ``progress`` callback that raises, to
    cancel) never leaves a half-written demo that later runs would trust.
    """
    target = cached_demo_dir()
    if target.is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".partial-", dir=target.parent))
    try:
        generate_demo(work, progress=progress)
        try:
            work.rename(target)
        except OSError:
            if not target.is_dir():  # a concurrent run may have won the race
                raise
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    return target
