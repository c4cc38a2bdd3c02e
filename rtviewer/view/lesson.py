"""A lesson: steps that each set the window's state and show a caption.

A teacher prepares a sequence of views on the data (patient, plan, dose, slice,
zoom, structures, isodoses, beam's-eye view, RT Image, record) and a caption for
each; the window replays them one by one. The file format is YAML
(:mod:`rtviewer.view.lesson_file`, documented in ``docs/LESSONS.md``); this module
holds the Qt-free model and its validation.

Data is named as DICOM names it, never by file path, so that a lesson works on
any copy of the data: the patient by Patient ID, the plan, dose, RT Image and
treatment record by SOP Instance UID. Positions are DICOM patient coordinates
(LPS) in millimetres, ``(x, y, z)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

__all__ = ["LAYOUTS", "LESSON_FORMAT", "TABS", "VIEWS", "Lesson", "LessonError", "LessonStep",
           "effective_step", "lesson_from_mapping", "lesson_to_mapping", "missing_data",
           "step_from_mapping", "step_to_mapping"]

#: The format version this reader understands (``format:`` in the file).
LESSON_FORMAT = 1
#: 1 view (``view`` alone) or 3 views (axial, sagittal, coronal).
LAYOUTS = (1, 3)
VIEWS = ("axial", "sagittal", "coronal")
#: The side panel's pages a step may bring to the front.
TABS = ("structures", "dose", "dvh", "plan", "points", "beams_eye", "brachy", "rt_image",
        "records")


class LessonError(ValueError):
    """A lesson file that cannot be used; the message names the file and the step."""


@dataclass(frozen=True)
class LessonStep:
    r"""One step of a lesson: what the window shows and what the caption says.

    Every field but ``caption`` is optional: what a step leaves out stays as the
    previous step left it (the data, the layout) or as the loaded plan sets it.

    Attributes
    ----------
    title : str
        Short heading of the step (the caption panel's first line).
    caption : str
        Markdown; ``$...$`` holds simple maths (``D_{95}``, ``\geq``).
    question, answer : str
        A question shown under the caption; its answer is revealed by the next step.
    patient_id : str or None
        DICOM Patient ID (0010,0020) of the data shown.
    plan_uid, dose_uid : str or None
        SOP Instance UIDs of the RT Plan and the RT Dose shown.
    layout : int or None
        1 or 3 views.
    view : str or None
        The view of the 1-view layout (``axial``, ``sagittal``, ``coronal``).
    position_mm : tuple of float or None
        The crosshair, patient ``(x, y, z)`` mm; sets every view's slice.
    zoom : float or None
        Magnification of the slice views relative to the fitted image (1 = fit).
    window : tuple of float or None
        Grey-scale ``(width, level)`` in image units (HU for CT).
    structures : tuple of str or None
        ROI names drawn (and whose DVHs are computed); None: all of them.
    isodoses_percent : tuple of float or None
        Isodose levels, % of the reference dose; ``()`` hides them.
    colourwash : bool or None
        Dose colourwash on or off; ``wash_threshold_percent`` its low cut.
    tab : str or None
        The side-panel page brought to the front (:data:`TABS`).
    beam : int or None
        Beam Number shown in the beam's-eye view; ``control_point`` its index (0-based).
    rt_image_uid, record_uid : str or None
        SOP Instance UIDs of an RT Image or a treatment record to show.
    goals : str or None
        Clinical goal set evaluated under the DVH: a shipped set's name
        (``demo_thorax``, ``quantec``, ...).
    """

    title: str = ""
    caption: str = ""
    question: str = ""
    answer: str = ""
    patient_id: str | None = None
    plan_uid: str | None = None
    dose_uid: str | None = None
    layout: int | None = None
    view: str | None = None
    position_mm: tuple[float, float, float] | None = None
    zoom: float | None = None
    window: tuple[float, float] | None = None
    structures: tuple[str, ...] | None = None
    isodoses_percent: tuple[float, ...] | None = None
    colourwash: bool | None = None
    wash_threshold_percent: float | None = None
    tab: str | None = None
    beam: int | None = None
    control_point: int | None = None
    rt_image_uid: str | None = None
    record_uid: str | None = None
    goals: str | None = None

    def __post_init__(self) -> None:
        """Refuse values the window could not show, saying which and why."""
        if self.layout is not None and self.layout not in LAYOUTS:
            raise LessonError(f"layout must be 1 or 3, not {self.layout!r}")
        if self.view is not None and self.view not in VIEWS:
            raise LessonError(f"view must be one of {', '.join(VIEWS)}, not {self.view!r}")
        if self.tab is not None and self.tab not in TABS:
            raise LessonError(f"tab must be one of {', '.join(TABS)}, not {self.tab!r}")
        if self.zoom is not None and not self.zoom > 0:
            raise LessonError(f"zoom must be positive, not {self.zoom!r}")
        if self.control_point is not None and self.control_point < 0:
            raise LessonError(f"control_point counts from 0, not {self.control_point!r}")
        if self.window is not None and not self.window[0] > 0:
            raise LessonError(f"window width must be positive, not {self.window[0]!r}")
        if self.isodoses_percent is not None and any(v <= 0 for v in self.isodoses_percent):
            raise LessonError("isodose levels must be positive percentages")


@dataclass(frozen=True)
class Lesson:
    """A titled sequence of :class:`LessonStep`.

    ``data`` says where the data is expected: ``"demo"`` for rtviewer's own
    teaching patients (opened, and generated on first use, by the window), or
    empty when the user opens the folder themselves.
    """

    title: str
    steps: tuple[LessonStep, ...]
    description: str = ""
    data: str = ""
    format: int = LESSON_FORMAT

    def with_step(self, step: LessonStep, index: int | None = None) -> Lesson:
        """A copy with ``step`` inserted at ``index`` (appended when None)."""
        steps = list(self.steps)
        steps.insert(len(steps) if index is None else index, step)
        return Lesson(self.title, tuple(steps), self.description, self.data, self.format)


_STEP_FIELDS = {f.name for f in fields(LessonStep)}
_TEXT = ("caption", "title", "question", "answer")
_UIDS = ("patient_id", "plan_uid", "dose_uid", "rt_image_uid", "record_uid", "goals")


def step_from_mapping(data: Any, number: int) -> LessonStep:
    """A step from its YAML mapping; ``number`` (1-based) names it in errors."""
    where = f"step {number}"
    if not isinstance(data, Mapping):
        raise LessonError(f"{where}: expected a mapping of fields, got {type(data).__name__}")
    unknown = sorted(set(map(str, data)) - _STEP_FIELDS)
    if unknown:
        raise LessonError(f"{where}: unknown field(s) {', '.join(unknown)}; "
                          f"known: {', '.join(sorted(_STEP_FIELDS))}")
    values: dict[str, Any] = {}
    try:
        for key, value in data.items():
            if value is None:
                continue
            values[str(key)] = _converted(str(key), value)
        return LessonStep(**values)
    except LessonError as exc:
        raise LessonError(f"{where}: {exc}") from None
    except (TypeError, ValueError) as exc:
        raise LessonError(f"{where}: {exc}") from None


def _converted(key: str, value: Any) -> Any:
    if key in _TEXT:
        return str(value).rstrip()
    if key in _UIDS or key in ("view", "tab"):
        return str(value).strip()
    return _CONVERTERS[key](key, value)


def _integer(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise LessonError(f"{key} must be a whole number, not {value!r}")
    return int(value)


def _floats(key: str, value: Any, n: int | None) -> tuple[float, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise LessonError(f"{key} must be a list of numbers, not {value!r}")
    if n is not None and len(value) != n:
        raise LessonError(f"{key} must hold {n} numbers, not {len(value)}")
    try:
        return tuple(float(v) for v in value)
    except (TypeError, ValueError):
        raise LessonError(f"{key} must be a list of numbers, not {value!r}") from None


def _boolean(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise LessonError(f"{key} must be true or false, not {value!r}")
    return value


def _names(key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise LessonError(f"{key} must be a list of ROI names")
    return tuple(str(v) for v in value)


_CONVERTERS: dict[str, Callable[[str, Any], Any]] = {
    "layout": _integer, "beam": _integer, "control_point": _integer,
    "zoom": lambda _key, value: float(value),
    "wash_threshold_percent": lambda _key, value: float(value),
    "colourwash": _boolean, "structures": _names,
    "position_mm": lambda key, value: _floats(key, value, 3),
    "window": lambda key, value: _floats(key, value, 2),
    "isodoses_percent": lambda key, value: _floats(key, value, None),
}


def step_to_mapping(step: LessonStep) -> dict[str, Any]:
    """The step's YAML mapping: the fields it sets, in the dataclass's order."""
    out: dict[str, Any] = {}
    for f in fields(LessonStep):
        value = getattr(step, f.name)
        if value is None or (f.name in _TEXT and not value):
            continue
        out[f.name] = list(value) if isinstance(value, tuple) else value
    return out


def lesson_from_mapping(data: Any) -> Lesson:
    """A lesson from the YAML document (a mapping with ``title`` and ``steps``)."""
    if not isinstance(data, Mapping):
        raise LessonError("a lesson is a mapping with 'title' and 'steps'")
    version = data.get("format", LESSON_FORMAT)
    if version != LESSON_FORMAT:
        raise LessonError(f"lesson format {version!r}: this rtviewer reads format "
                          f"{LESSON_FORMAT}")
    steps = data.get("steps")
    if not isinstance(steps, Sequence) or isinstance(steps, str) or not steps:
        raise LessonError("'steps' must be a non-empty list of steps")
    unknown = sorted(set(map(str, data)) - {"format", "title", "description", "data", "steps"})
    if unknown:
        raise LessonError(f"unknown lesson field(s) {', '.join(unknown)}")
    return Lesson(title=str(data.get("title") or "Untitled lesson"),
                  steps=tuple(step_from_mapping(s, i + 1) for i, s in enumerate(steps)),
                  description=str(data.get("description") or "").rstrip(),
                  data=str(data.get("data") or ""))


def lesson_to_mapping(lesson: Lesson) -> dict[str, Any]:
    """The lesson's YAML document."""
    out: dict[str, Any] = {"format": lesson.format, "title": lesson.title}
    if lesson.description:
        out["description"] = lesson.description
    if lesson.data:
        out["data"] = lesson.data
    out["steps"] = [step_to_mapping(s) for s in lesson.steps]
    return out


def effective_step(steps: Sequence[LessonStep]) -> LessonStep:
    """The last of ``steps`` with every setting it leaves out taken from those before it.

    Texts (title, caption, question, answer) are the last step's own.
    """
    values: dict[str, Any] = {}
    for step in steps:
        values.update({f.name: getattr(step, f.name) for f in fields(LessonStep)
                       if f.name not in _TEXT and getattr(step, f.name) is not None})
    last = steps[-1]
    values.update({name: getattr(last, name) for name in _TEXT})
    return LessonStep(**values)


def missing_data(step: LessonStep, patients: Mapping[str, frozenset[str]]
                 ) -> list[str]:
    """What the step names that no open folder holds, as sentences.

    ``patients`` maps each open Patient ID to the SOP Instance UIDs of its files.
    """
    if step.patient_id is None:
        return []
    uids = patients.get(step.patient_id)
    if uids is None:
        return [f"patient ID {step.patient_id} is not in any open folder"]
    missing = []
    for label, uid in (("plan", step.plan_uid), ("dose", step.dose_uid),
                       ("RT Image", step.rt_image_uid), ("treatment record", step.record_uid)):
        if uid and uid not in uids:
            missing.append(f"the {label} with SOP Instance UID {uid} of patient "
                           f"{step.patient_id} is not in any open folder")
    return missing

