"""Read the RT objects of a scan with rtviewer's own readers, once each.

The check does not parse RT content itself: it asks the readers, collects the
findings they attach to every object (and to the objects inside it: ROIs, DVHs,
beams...), and keeps the objects for the cross-object checks.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from rtviewer.dicom.check.collector import Collector
from rtviewer.dicom.readers import READERS, ObjectReader
from rtviewer.errors import MissingAttributeError, RtViewerError
from rtviewer.model.findings import Finding, Severity
from rtviewer.model.index import Instance, ScanResult
from rtviewer.model.kind import Kind

__all__ = ["ObjectStore", "nested_findings"]

_log = logging.getLogger(__name__)

#: Reader codes renamed to the check's vocabulary.
_RENAMED = {
    "BEAM_INTERRUPTED": "RECORDED_INTERRUPTION",
    "SETUP_INTERRUPTED": "RECORDED_INTERRUPTION",
}


def _checked_reader(kind: Kind) -> ObjectReader[Path, Any] | None:
    """The reader the check runs on each file of ``kind`` (None: checked by header only)."""
    reader = READERS.get(kind)
    return reader if reader is not None and reader.checked else None


def nested_findings(obj: object, depth: int = 0) -> Iterator[Finding]:
    """Yield an object's findings and those of the objects it holds (ROIs, DVHs, beams...)."""
    yield from getattr(obj, "findings", ()) or ()
    if depth >= 3 or not dataclasses.is_dataclass(obj):
        return
    for field in dataclasses.fields(obj):
        value = getattr(obj, field.name, None)
        if isinstance(value, tuple):
            for item in value:
                if dataclasses.is_dataclass(item) and hasattr(item, "findings"):
                    yield from nested_findings(item, depth + 1)
        elif dataclasses.is_dataclass(value) and hasattr(value, "findings"):
            yield from nested_findings(value, depth + 1)


class ObjectStore:
    """The RT objects of a scan, read on demand and kept; reader failures are findings.

    Parameters
    ----------
    result : ScanResult
    out : Collector
        Receives every reader finding, and an error when a reader gives up.
    """

    def __init__(self, result: ScanResult, out: Collector) -> None:
        self._out = out
        self._objects: dict[Path, Any] = {}
        self.instances: dict[Path, Instance] = {i.path: i for i in result.instances()}

    def get(self, path: Path | None) -> Any:
        """Return the model object of the instance at ``path`` (None if it has none)."""
        if path is None or path not in self.instances:
            return None
        if path not in self._objects:
            self._objects[path] = self._read(self.instances[path])
        return self._objects[path]

    def read_all(self, cancel: Callable[[], bool] | None = None) -> None:
        """Read every RT object, collecting their findings; stop early when ``cancel()``."""
        for path, inst in self.instances.items():
            if cancel is not None and cancel():
                return  # the caller raises at its next stage
            if _checked_reader(inst.kind) is not None:
                self.get(path)

    def _read(self, inst: Instance) -> Any:
        reader = _checked_reader(inst.kind)
        if reader is None:
            return None
        try:
            obj = reader.read(inst.path)
        except MissingAttributeError as exc:
            self._out.add(Finding(
                "MISSING_NEEDED_ATTRIBUTE", f"The object cannot be used: {exc.message}.",
                Severity.ERROR, exc.attribute, "none: the object is not shown"),
                inst.path, inst.sop_instance_uid)
            return None
        except RtViewerError as exc:
            self._out.add(Finding(
                "UNUSABLE_OBJECT", f"The object cannot be used: {exc.message}.",
                Severity.ERROR, None, "none: the object is not shown"),
                inst.path, inst.sop_instance_uid)
            return None
        except Exception as exc:  # a reader's bug must not stop the check of a folder
            _log.exception("reader failed on %s", inst.path)
            self._out.add(Finding(
                "UNUSABLE_OBJECT", f"rtviewer could not read this object "
                f"({type(exc).__name__}: {exc}).", Severity.ERROR, None,
                "none: the object is not shown"), inst.path, inst.sop_instance_uid)
            return None
        for finding in nested_findings(obj):
            code = _RENAMED.get(finding.code, finding.code)
            if code != finding.code:
                finding = dataclasses.replace(finding, code=code)
            self._out.add(finding, inst.path, inst.sop_instance_uid)
        return obj
