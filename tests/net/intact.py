"""Compare a sent file with what arrived: same UID, same Pixel Data bytes, same dataset."""

from __future__ import annotations

import warnings
from pathlib import Path

import pydicom
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

PIXEL_TAGS = (0x7FE00010, 0x7FE00008, 0x7FE00009)


def read(path: Path) -> Dataset:
    return pydicom.dcmread(path, force=True)


def _values(ds: Dataset, prefix: str = "") -> dict[str, object]:
    """Every element (recursively) as path -> value; group 0002 left out, VR ignored
    (an implicit-VR file carries no VRs: a converted copy may legitimately add them)."""
    out: dict[str, object] = {}
    for elem in ds:
        if elem.tag.group == 0x0002 or elem.tag.element == 0x0000:
            # group 0002 is the file meta; group lengths (gggg,0000) are retired encoding
            # artefacts that storescu always recalculates (+g=, no option keeps them)
            continue
        key = f"{prefix}{int(elem.tag):08X}"
        if isinstance(elem.value, Sequence):
            out[key] = len(elem.value)
            for n, item in enumerate(elem.value):
                out.update(_values(item, f"{key}[{n}]."))
        else:
            value = elem.value
            out[key] = value.hex() if isinstance(value, bytes) else str(value)
    return out


def assert_intact(sent: Path, arrived: Path) -> None:
    with warnings.catch_warnings():
        # the corpus has invalid UIDs: pydicom warns while converting; values still compare
        warnings.simplefilter("ignore")
        _compare(sent, arrived)


def _compare(sent: Path, arrived: Path) -> None:
    a, b = read(sent), read(arrived)
    assert a.SOPInstanceUID == b.SOPInstanceUID
    for tag in PIXEL_TAGS:
        if tag in a:
            assert b[tag].value == a[tag].value, f"{sent}: pixel data differ"
    va, vb = _values(a), _values(b)
    assert va.keys() == vb.keys(), f"{sent}: elements differ {set(va) ^ set(vb)}"
    diff = [k for k in va if va[k] != vb[k]]
    assert not diff, f"{sent}: values differ at {diff[:5]}"
