"""When two (Patient ID, name) keys are two patients: the rule ``rtviewer check`` applies.

Apart from the checks (``rtviewer.dicom.check``) so that the window's banner, which
names the shown files of another patient at the first image, uses the same rule without
importing every check before that image.
"""

from __future__ import annotations

import re

__all__ = ["PLACEHOLDERS", "different_patients", "is_placeholder"]

#: Values that fill a Patient ID or name without identifying anyone (upper case).
PLACEHOLDERS = frozenset({"", "UNKNOWN", "ANONYMOUS", "ANON", "NONE", "NA", "N/A", "NULL"})


def different_patients(a: tuple[str | None, str | None],
                       b: tuple[str | None, str | None]) -> bool:
    """Whether two (Patient ID, name) keys are different patients (IDs first, then names)."""
    if a[0] and b[0] and a[0].strip() != b[0].strip():
        return True
    # the same ID: names differ only if more than case, spaces and ^ separators differ
    return bool(a[0] == b[0] and a[1] and b[1] and _name_key(a[1]) != _name_key(b[1]))


def _name_key(name: str) -> str:
    return re.sub(r"[\s^]+", "", name).upper()


def is_placeholder(value: str | None) -> bool:
    """Whether a Patient ID (or name) is a filler (``UNKNOWN``), which many share.

    >>> is_placeholder(" unknown "), is_placeholder("RTV-DEMO-THORAX")
    (True, False)
    """
    return (value or "").strip().upper() in PLACEHOLDERS
