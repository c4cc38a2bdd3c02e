"""Find the attribute behind pydicom's "Invalid value for VR XX: 'value'" warnings.

pydicom warns about a malformed value without naming its element; the check
re-reads the (few) files concerned and looks for the element holding that value,
so that the finding names its attribute like every other.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator

from pydicom.dataset import Dataset

from rtviewer.dicom.check.collector import Collector
from rtviewer.dicom.files import read_dataset
from rtviewer.errors import RtViewerError

__all__ = ["name_invalid_values", "find_value"]

_INVALID = re.compile(r"Invalid value for VR (?P<vr>[A-Z]{2}): '(?P<value>.*?)'")


def _elements(ds: Dataset, prefix: str, depth: int) -> Iterator[tuple[str, str, object]]:
    for element in ds:
        name = element.keyword or str(element.tag)
        if element.VR == "SQ":
            if depth < 4:
                for item in element.value or ():
                    yield from _elements(item, f"{prefix}{name}>", depth + 1)
        else:
            yield f"{prefix}{name}", element.VR, element.value


def find_value(ds: Dataset, vr: str, value: str) -> str | None:
    """Return the ``>``-path of the first element of ``vr`` holding ``value``, or None."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the very warnings being located
        for path, element_vr, element_value in _elements(ds, "", 0):
            if element_vr != vr:
                continue
            values = element_value if isinstance(element_value, list | tuple) else [
                element_value]
            if any(str(v) == value for v in values):
                return path
    return None


def name_invalid_values(out: Collector) -> None:
    """Name the attribute of every unnamed ``PYDICOM_WARNING`` about an invalid value."""
    for finding in out.without_attribute("PYDICOM_WARNING"):
        match = _INVALID.search(finding.message)
        if match is None:
            continue
        try:
            ds, _ = read_dataset(out.root / finding.path, stop_before_pixels=True)
        except RtViewerError:
            continue
        try:
            path = find_value(ds, match["vr"], match["value"])
        except Exception:  # noqa: BLE001 - a dataset too damaged to walk keeps no name
            continue
        if path is not None:
            out.set_attribute(finding, path)
