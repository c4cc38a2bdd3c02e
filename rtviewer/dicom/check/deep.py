"""``--deep``: dicom3tools' ``dciodvfy`` on every file, when it is installed.

dciodvfy is an independent validator (David Clunie's dicom3tools; Debian package
``dicom3tools``). Its errors become warnings (information when about a Type 2
attribute) and its warnings information, under codes ``DCIODVFY_ERROR`` and
``DCIODVFY_WARNING``; identical messages on many sequence items are reported once
with their count.

Debian's 2022 build still requires the Frame of Reference module in RT Structure
Sets, which the current standard makes User-optional (PS3.3 A.19.3): those two
complaints are dropped.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

from pydicom.datadict import keyword_for_tag

from rtviewer.dicom.check.collector import Collector
from rtviewer.model.findings import Finding, Severity
from rtviewer.model.index import ScanResult

__all__ = ["check_with_dciodvfy", "parse_dciodvfy", "dciodvfy_path"]

_LINE = re.compile(r"^(Error|Warning) - (?:<(?P<path>[^>]*)> - )?(?P<message>.*)$")
_ELEMENT = re.compile(r"([A-Za-z0-9]+)\([0-9a-fA-F]{4},[0-9a-fA-F]{4}\)(?:\[\d+\])?")
_OUTDATED = re.compile(r"(FrameOfReferenceUID|PositionReferenceIndicator).*"
                       r"Module=<FrameOfReference>")
_OLD_TAG = re.compile(r"\(0x([0-9a-fA-F]{4}),0x([0-9a-fA-F]{4})\)")
_TIMEOUT_S = 120


def dciodvfy_path() -> str | None:
    """Return the dciodvfy executable, or None when dicom3tools is not installed."""
    return shutil.which("dciodvfy")


def parse_dciodvfy(output: str) -> list[Finding]:
    """Turn dciodvfy's ``-new`` output into findings (one per distinct message).

    Parameters
    ----------
    output : str
        dciodvfy's combined standard output and error.

    Returns
    -------
    list of Finding
    """
    lines = output.splitlines()
    # dciodvfy names the IOD it validated against on a line of its own
    iod = next((ln.strip() for ln in lines if re.fullmatch(r"[A-Za-z]+", ln.strip())), "")
    counts: Counter[tuple[str, str, str]] = Counter()
    for raw in lines:
        match = _LINE.match(raw.strip())
        if match is None:
            continue
        message = match["message"].strip()
        if iod == "RTStructureSet" and _OUTDATED.search(raw):
            continue  # outdated table in Debian's build, see the module docstring
        attribute = ">".join(_ELEMENT.findall(match["path"] or "")) or _old_style_tag(message)
        counts[(match.group(1), attribute, message)] += 1
    findings = []
    for (level, attribute, message), n in counts.items():
        if level == "Error":
            severity = Severity.INFO if "Type 2" in message else Severity.WARNING
            code = "DCIODVFY_ERROR"
        else:
            severity, code = Severity.INFO, "DCIODVFY_WARNING"
        times = f" ({n} occurrences)" if n > 1 else ""
        findings.append(Finding(code, f"dciodvfy: {message}{times}", severity,
                                attribute or None, "reported only; rtviewer reads the file "
                                "as described by its other findings"))
    return findings


def _old_style_tag(message: str) -> str:
    """The keyword of a ``(0xgggg,0xeeee)`` tag in dciodvfy's older message form."""
    match = _OLD_TAG.search(message)
    if match is None:
        return ""
    return keyword_for_tag(int(match.group(1) + match.group(2), 16)) or ""


def check_with_dciodvfy(result: ScanResult, out: Collector) -> None:
    """Run dciodvfy on every instance; one information finding when it is absent."""
    executable = dciodvfy_path()
    if executable is None:
        out.add(Finding("DCIODVFY_UNAVAILABLE", "--deep asked for dciodvfy, which is not "
                        "installed (Debian/Ubuntu package dicom3tools).", Severity.INFO,
                        assumption="the deep check was skipped"), result.root, None)
        return
    for inst in result.instances():
        for finding in _run(executable, inst.path):
            out.add(finding, inst.path, inst.sop_instance_uid)


def _run(executable: str, path: Path) -> list[Finding]:
    try:
        done = subprocess.run([executable, "-new", str(path)], capture_output=True,
                              timeout=_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return [Finding("DCIODVFY_FAILED", f"dciodvfy could not check this file ({exc}).",
                        Severity.INFO)]
    text = (done.stdout + done.stderr).decode("utf-8", errors="replace")
    return parse_dciodvfy(text)
