"""Short labels a physicist recognises for RT Dose files and studies (the data stays as is)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from rtviewer.model.dose import Dose
from rtviewer.model.index import Instance, Study
from rtviewer.model.kind import PLAN_KINDS

__all__ = ["distinct_labels", "dose_kind", "dose_label", "format_maximum", "loaded_dose_label",
           "plan_dose_labels", "plan_label_of", "plan_name", "short_name", "study_label"]

#: Dose Summation Type (3004,000A) defined terms, as the scan summary lists them.
_SUMMATION = ("MULTI_PLAN", "PLAN", "PLAN_OVERVIEW", "FRACTION", "BEAM", "BRACHY",
              "FRACTION_SESSION", "BEAM_SESSION", "BRACHY_SESSION", "CONTROL_POINT",
              "RECORD")
#: Dose Type (3004,0004) defined terms.
_DOSE_TYPE = ("PHYSICAL", "EFFECTIVE", "ERROR")


def short_name(path: Path, keep: int = 6) -> str:
    """The file name, a long UID-like stem cut to its last ``keep`` characters (no ``.dcm``).

    Vendors name files by SOP Instance UID; the tail is what tells two of them apart.
    """
    stem, suffix = path.stem, path.suffix
    if len(stem) <= 2 * keep + 4:
        return path.name
    return f"…{stem[-keep:].lstrip('.')}" + ("" if suffix.lower() == ".dcm" else suffix)


def format_maximum(max_gy: float, units: str = "GY") -> str:
    """``"max 63.3 Gy"``: 0.1 Gy from 10 Gy up, 0.01 Gy below; other units named as stored."""
    value = f"{max_gy:.1f}" if abs(max_gy) >= 10 else f"{max_gy:.2f}"
    return f"max {value} Gy" if units == "GY" else f"max {value} ({units})"


def dose_label(path: Path, instance: Instance | None, maximum: str | None = None) -> str:
    """``"PLAN dose, max 63.3 Gy"``, ``"BEAM dose, max 1.95 Gy, EFFECTIVE"``.

    ``"PLAN dose"`` before the maximum is known.

    The file name alone when the scan does not know the summation type.

    Parameters
    ----------
    path : Path
        The RT Dose file.
    instance : Instance or None
        Its entry in the scan index, whose summary lists the summation and dose types.
    maximum : str or None
        :func:`format_maximum` of the dose, None while it is being read.
    """
    summation, dose_type = _summation_and_type(instance) if instance else (None, None)
    if summation is None:
        return path.name if maximum is None else f"{path.name}, {maximum}"
    # the maximum before an unusual Dose Type: a narrow combo cuts the end, never the number
    words = [f"{summation} dose"] + [w for w in (maximum, dose_type) if w]
    return ", ".join(words)


def loaded_dose_label(dose: Dose, plan: str | None = None) -> str:
    """``"Lung VMAT · PLAN dose, max 63.3 Gy"`` of a dose read from its file.

    The dose kind and maximum as :func:`dose_label` words them (Dose Type only when not
    PHYSICAL), after the label of its plan (:func:`plan_label_of`) when known.
    """
    summation = getattr(dose.summation_type, "value", None)
    dose_type = getattr(dose.dose_type, "value", None)
    words = [f"{summation} dose" if summation else "dose",
             format_maximum(dose.max_gy, dose.units.value)]
    if dose_type and dose_type != "PHYSICAL":
        words.append(dose_type)
    label = ", ".join(words)
    return f"{plan} · {label}" if plan else label


def plan_label_of(dose: Dose, instances: Sequence[Instance]) -> str | None:
    """The RT Plan Label of the plan ``dose`` references, if that plan is among ``instances``."""
    uids = {dose.referenced_plan_uid, *dose.referenced_plan_uids} - {None}
    plan = next((i for i in instances if i.sop_instance_uid in uids and i.kind in PLAN_KINDS),
                None)
    return plan_name(plan.summary) if plan is not None else None


def distinct_labels(paths: Sequence[Path], labels: Sequence[str]) -> list[str]:
    """``labels`` with the file tail added (``"… …364095"``) only where two are equal.

    Two files that share their tail too are told apart by their folder.
    """
    out = list(labels)
    for tell_apart in (short_name, lambda path: f"({path.parent.name})"):
        repeated = {label for label, n in Counter(out).items() if n > 1}
        out = [f"{label} {tell_apart(path)}" if label in repeated else label
               for path, label in zip(paths, out, strict=True)]
    return out


def plan_name(summary: str | None) -> str | None:
    """``"Lung VMAT"`` from a plan's scan summary ``"Plan 'Lung VMAT': 2 beams, 30 fractions"``.

    None when the plan has no RT Plan Label (the summary then starts ``"Plan:"``).
    """
    match = re.match(r"(?:Ion plan|Plan) '(.*)': ", summary or "")
    return match.group(1) if match else None


def plan_dose_labels(paths: Sequence[Path], doses: Sequence[str],
                     plans: Sequence[str | None], series: Sequence[str | None]) -> list[str]:
    """``"Lung VMAT · PLAN dose, max 63.3 Gy"``: each dose by its plan, told apart in words.

    Two equal labels (a recalculation of the same plan) are told apart by their series
    description, and only where that is missing or equal too by the file tail.

    Parameters
    ----------
    paths : sequence of Path
        The RT Dose files.
    doses : sequence of str
        Their :func:`dose_label` (kind, maximum once known).
    plans : sequence of str or None
        The label of the plan each refers to (:func:`plan_name`), None without one.
    series : sequence of str or None
        The description of each file's series.

    Examples
    --------
    >>> plan_dose_labels([Path("a.dcm"), Path("b.dcm")], ["PLAN dose"] * 2,
    ...                  ["Lung 3DCRT"] * 2, ["Calculated doses", "Recalculation"])
    ['Lung 3DCRT · PLAN dose (Calculated doses)', 'Lung 3DCRT · PLAN dose (Recalculation)']
    """
    out = [f"{plan} · {dose}" if plan else dose for dose, plan in zip(doses, plans, strict=True)]
    repeated = {label for label, n in Counter(out).items() if n > 1}
    out = [f"{label} ({text})" if label in repeated and text else label
           for label, text in zip(out, ((t or "").strip() for t in series), strict=True)]
    return distinct_labels(paths, out)


def dose_kind(instance: Instance) -> str | None:
    """``"PLAN dose"``, ``"BEAM EFFECTIVE dose"``; None when the summary does not say."""
    summation, dose_type = _summation_and_type(instance)
    if summation is None:
        return None
    return f"{summation} {dose_type} dose" if dose_type else f"{summation} dose"


def _summation_and_type(instance: Instance) -> tuple[str | None, str | None]:
    """Dose Summation Type and, unless PHYSICAL (the usual case), Dose Type from the summary."""
    tokens = [t.strip() for t in (instance.summary or "").split(",")]
    summation = next((t for t in tokens if t in _SUMMATION), None)
    dose_type = next((t for t in tokens if t in _DOSE_TYPE), None)
    return summation, (dose_type if dose_type != "PHYSICAL" else None)


def study_label(study: Study) -> str:
    """``"Study <description> (YYYY-MM-DD)"``; without either, said so (never its UID).

    The UID is no name a physicist recognises; the tree keeps it in the study's
    details column and tooltip.
    """
    date = study.study_date
    if date and len(date) == 8 and date.isdigit():
        date = f"{date[:4]}-{date[4:6]}-{date[6:]}"
    description = (study.study_description or "").strip()
    if description and date:
        return f"Study {description} ({date})"
    if description or date:
        return f"Study {description or date}"
    return "Study without description or date"
