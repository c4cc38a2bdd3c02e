"""Name the DICOM attribute a message speaks of, when its source did not say."""

from __future__ import annotations

import re
from functools import cache

from pydicom.datadict import (
    dictionary_description,
    dictionary_is_retired,
    keyword_dict,
    keyword_for_tag,
    tag_for_keyword,
)

__all__ = ["attribute_named_in"]

_KEYWORD = re.compile(r"\b[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+\b")  # CamelCase keywords
_TAG = re.compile(r"\((?:0x)?([0-9A-Fa-f]{4}),\s*(?:0x)?([0-9A-Fa-f]{4})\)")


@cache
def _names() -> tuple[tuple[str, str], ...]:
    """(lower-case name, keyword) of every attribute whose name has several words."""
    pairs = {(dictionary_description(tag).lower(), keyword)
             for keyword, tag in keyword_dict.items()
             if keyword and " " in dictionary_description(tag) and not dictionary_is_retired(tag)}
    # longest first: "Pixel Data Provider URL" before "Pixel Data"
    return tuple(sorted(pairs, key=lambda p: (-len(p[0]), p)))  # ties: one order every run


def attribute_named_in(text: str) -> str | None:
    """Return the keyword of the attribute ``text`` names by tag or by name, or None.

    Parameters
    ----------
    text : str
        A message, e.g. ``"truncated: data element (7FE0,0010) ..."`` or
        ``"CT Image Storage without Pixel Data"``.

    Examples
    --------
    >>> attribute_named_in("data element (3006,0039) at byte 11302 is cut")
    'ROIContourSequence'
    >>> attribute_named_in("CT Image Storage without Pixel Data (truncated)")
    'PixelData'
    >>> attribute_named_in("NumberOfFrames could not be read and is ignored")
    'NumberOfFrames'
    """
    match = _TAG.search(text)
    if match is not None:
        tag = int(match.group(1) + match.group(2), 16)
        return keyword_for_tag(tag) or f"({match.group(1)},{match.group(2)})"
    for token in _KEYWORD.findall(text):
        if tag_for_keyword(token) is not None:
            return str(token)
    lower = text.lower()
    for name, keyword in _names():
        if name in lower and re.search(rf"\b{re.escape(name)}\b", lower):
            return keyword
    return None
