"""Images that may carry burnt-in text (names, dates written into the pixels)."""

from __future__ import annotations

from pydicom.dataset import Dataset

__all__ = ["burnt_in_status"]

#: RT Image Storage and the Secondary Capture family (PS3.4 B.5): the classes whose
#: pixels commonly hold text a tag-level anonymiser cannot reach.
_RT_IMAGE = "1.2.840.10008.5.1.4.1.1.481.1"
_SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7"


def _may_carry_text(sop_class_uid: str) -> bool:
    return sop_class_uid in (_RT_IMAGE, _SECONDARY_CAPTURE) \
        or sop_class_uid.startswith(_SECONDARY_CAPTURE + ".")


def burnt_in_status(ds: Dataset) -> str | None:
    """Why an image may hold burnt-in text, or None when it does not.

    Parameters
    ----------
    ds : Dataset
        A header (pixels not needed).

    Returns
    -------
    str or None
        ``"YES"`` when Burned In Annotation says so, ``"absent"`` when an RT Image or
        secondary capture does not say, ``"'<value>'"`` for any other value but NO;
        None for NO and for every other class (whose YES is still reported).
    """
    value = str(ds.get("BurnedInAnnotation", "") or "").strip().upper()
    if value == "YES":
        return "YES"
    if value == "NO" or not _may_carry_text(str(ds.get("SOPClassUID", ""))):
        return None
    return "absent" if not value else repr(value)
