"""The plans of a file or folder with their structure sets and doses, problems on stderr.

Shared by ``rtviewer plan``, ``points`` and ``goals``: each reads the same bundles
(:mod:`rtviewer.dicom.plan_bundle`) and names what it could not read the same way.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from rtviewer.printable import printable


def read_bundles(path: Path, command: str, *, with_doses: bool = True) -> list[Any]:
    """Every readable :class:`~rtviewer.dicom.plan_bundle.PlanBundle` at ``path``.

    Unreadable plans and each bundle's notes are printed as ``rtviewer COMMAND: ...``.
    """
    from rtviewer.dicom.plan_bundle import load_bundle, plan_bundles
    from rtviewer.errors import RtViewerError

    plans, headers = plan_bundles(path)
    bundles = []
    for plan_path in plans:
        try:
            bundle = load_bundle(plan_path, headers, with_doses=with_doses)
        except RtViewerError as exc:
            print(f"rtviewer {command}: {printable(exc)}", file=sys.stderr)
            continue
        for note in bundle.notes:
            print(f"rtviewer {command}: {printable(plan_path.name)}: {printable(note)}",
                  file=sys.stderr)
        bundles.append(bundle)
    return bundles
