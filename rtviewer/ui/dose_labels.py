"""Short labels a physicist recognises for RT Dose files and studies (the data stays as is)."""

from __future__ import annotations

from pathlib import Path

from rtviewer.model.index import Instance, Study

__all__ = ["dose_kind", "dose_label", "short_name", "study_label"]

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


def dose_label(path: Path, instance: Instance | None) -> str:
    """``"PLAN dose …635202"``; the file name alone when nothing is known.

    Parameters
    ----------
    path : Path
        The RT Dose file.
    instance : Instance or None
        Its entry in the scan index, whose summary lists the summation and dose types.
    """
    kind = dose_kind(instance) if instance is not None else None
    if kind is None:
        return path.name
    return f"{kind} {short_name(path)}"


def dose_kind(instance: Instance) -> str | None:
    """``"PLAN dose"``, ``"BEAM EFFECTIVE dose"``; None when the summary does not say."""
    tokens = [t.strip() for t in (instance.summary or "").split(",")]
    summation = next((t for t in tokens if t in _SUMMATION), None)
    dose_type = next((t for t in tokens if t in _DOSE_TYPE), None)
    if summation is None:
        return None
    # physical dose is the usual case: only an effective or error dose is called out
    if dose_type not in (None, "PHYSICAL"):
        return f"{summation} {dose_type} dose"
    return f"{summation} dose"


def study_label(study: Study) -> str:
    """``"Study <description> (YYYY-MM-DD)"``; the Study Instance UID only as a last resort."""
    date = study.study_date
    if date and len(date) == 8 and date.isdigit():
        date = f"{date[:4]}-{date[4:6]}-{date[6:]}"
    description = (study.study_description or "").strip()
    if description and date:
        return f"Study {description} ({date})"
    if description or date:
        return f"Study {description or date}"
    return f"Study {study.study_instance_uid or '(no UID)'}"
