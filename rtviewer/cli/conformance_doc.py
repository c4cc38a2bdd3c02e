"""Generate docs/CONFORMANCE.md, rtviewer's DICOM Conformance Statement (PS3.2 layout).

Every table comes from the code's own lists: the SOP classes of
:mod:`rtviewer.dicom.sop_classes`, the transfer syntaxes of
:mod:`rtviewer.dicom.transfer_syntaxes`, the network roles of
:mod:`rtviewer.net.tables` when networking is present, the character sets pydicom
decodes, the standard's IOD tables rtviewer checks against, and the codes of
``rtviewer check``. Regenerate with::

    python -m rtviewer.cli.conformance_doc > docs/CONFORMANCE.md

``tests/cli/test_conformance_doc.py`` fails when the file and this output differ.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Sequence
from typing import Any

from pydicom.charset import python_encoding
from pydicom.uid import UID

from rtviewer import __version__
from rtviewer.cli.conformance_text import (
    INTRODUCTION,
    IOD_USAGE,
    KIND_USAGE,
    MEDIA_MODEL,
    SECURITY,
)
from rtviewer.dicom.check.collector import ISSUE_SEVERITIES
from rtviewer.dicom.conformance import iod_name_for_sop_class, module_rules_for_iod
from rtviewer.dicom.conformance.conditions import CONDITIONAL_RULES
from rtviewer.dicom.sop_classes import SOP_CLASSES
from rtviewer.dicom.transfer_syntaxes import DECODED_TRANSFER_SYNTAXES, NOT_DECODED

__all__ = ["render_conformance_statement"]

_CHECKED_IODS = ("rt-structure-set", "rt-plan", "rt-ion-plan", "rt-dose", "rt-image",
                 "rt-beams-treatment-record", "rt-ion-beams-treatment-record",
                 "rt-brachy-treatment-record", "ct-image", "mr-image",
                 "positron-emission-tomography-image")
_USAGE = {"M": "Mandatory", "C": "Conditional", "U": "User option"}


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |"
              for row in rows]
    return lines + [""]


def _overview() -> list[str]:
    roles = _network_roles()
    network = ("none" if roles is None else ", ".join(sorted({f"{r.name} ({r.role})"
                                                              for r in roles})))
    return [
        "## 1 Conformance Statement Overview", "",
        f"rtviewer {__version__} reads DICOM-RT objects and their images from media "
        f"(folders of files) as a File-set Reader, for {len(SOP_CLASSES)} SOP Classes "
        f"(section 5.2) in {len(DECODED_TRANSFER_SYNTAXES)} transfer syntaxes (section "
        f"5.3). It writes DICOM files only to folders the user names, never into one it "
        f"reads: de-identified or plain copies (`rtviewer export`), the synthetic demo "
        f"patients (`rtviewer demo`) and objects received over the network (section 4).",
        "",
        *_table(("Service", "Role"), [("Media: File-set Reader (FSR)", "Yes"),
                                      ("Media: File-set Creator / Updater", "No"),
                                      ("Network", network)]),
    ]


def _network_roles() -> Any:
    try:
        tables = importlib.import_module("rtviewer.net.tables")
    except ImportError:  # a build without networking
        return None
    return getattr(tables, "ROLES", None)


def _networking() -> list[str]:
    roles = _network_roles()
    lines = ["## 4 Networking", ""]
    if roles is None:
        return lines + ["rtviewer implements no DICOM network services in this version.", ""]
    tables = importlib.import_module("rtviewer.net.tables")
    for role in roles:
        lines += [f"### {role.name} — {role.role}", "", role.note, ""]
        lines += _table(("SOP Class", "UID"), [(UID(u).name, u) for u in role.sop_classes])
        lines += _table(("Transfer Syntax", "UID"),
                        [(UID(u).name, u) for u in role.transfer_syntaxes])
    policies = getattr(tables, "ASSOCIATION_POLICIES", ())
    if policies:
        lines += ["### Association policies", ""]
        lines += _table(("Policy", "Value"), policies)
    return lines


def _media() -> list[str]:
    lines = ["## 5 Media Interchange", "", "### 5.1 Implementation model", "", MEDIA_MODEL,
             "### 5.2 SOP Classes read from media", ""]
    rows = [(c.name, c.uid, "private" if c.private else "standard", KIND_USAGE[c.kind])
            for c in SOP_CLASSES.values()]
    lines += _table(("SOP Class", "UID", "Class", "Use"), rows)
    lines += ["Any other SOP Class is listed with its name and not displayed.", "",
              "### 5.3 Transfer syntaxes decoded", ""]
    lines += _table(("Transfer Syntax", "UID", "Pixel data decoded by"),
                    [(t.name, t.uid, t.decoder) for t in DECODED_TRANSFER_SYNTAXES])
    lines += ["Not decoded (the object is listed, its pixels are not shown):", ""]
    lines += _table(("Transfer Syntax", "UID", "Why"),
                    [(UID(u).name, u, why) for u, why in NOT_DECODED])
    return lines


def _character_sets() -> list[str]:
    terms = sorted(t for t in python_encoding if t)
    return ["## 6 Support of Character Sets", "",
            "Text is decoded according to Specific Character Set (0008,0005) with "
            "pydicom; without it, the default repertoire (ISO-IR 6) is assumed. Code "
            "extensions (ISO 2022) are supported. Defined Terms decoded:", "",
            ", ".join(f"`{t}`" for t in terms), "",
            "Characters that cannot be decoded are replaced and reported as a finding "
            "of the file.", ""]


def _iod_annex() -> list[str]:
    lines = ["## 8 Annexes", "", "### 8.1 IOD contents", "",
             "What rtviewer uses and ignores of each IOD it displays:", ""]
    lines += _table(("IOD", "Used", "Ignored"), IOD_USAGE)
    lines += ["`rtviewer check` verifies the presence (Type 1 and 2) and non-emptiness "
              "(Type 1) of the attributes of these modules, from the standard's tables "
              "as shipped by highdicom. Mandatory modules are always checked; "
              "Conditional and User-option modules when one of their own attributes "
              "is present. The Type 1C/2C attributes of the RT modules are checked where "
              "their condition holds (section 8.1.1). A file without SOP Class UID is an "
              "error (`MISSING_SOP_CLASS_UID`) and is checked and read as the class its "
              "file meta, Modality or content shows, which the finding names.", ""]
    iods = {iod_name_for_sop_class(c.uid): c.name for c in SOP_CLASSES.values()}
    for iod in _CHECKED_IODS:
        modules = module_rules_for_iod(iod)
        names = [name for key, name in iods.items() if key == iod]
        lines += [f"#### {names[0] if names else iod} (`{iod}`)", ""]
        lines += _table(("Module", "Usage"), [(m.module, _USAGE[m.usage]) for m in modules])
    return lines + _conditional_rules()


def _conditional_rules() -> list[str]:
    lines = ["#### 8.1.1 Type 1C and 2C conditions evaluated", "",
             "Where a condition depends on a change during the beam, the first control "
             "point is checked (a change cannot be seen in an absent attribute).", ""]
    return lines + _table(
        ("Attribute", "Type", "IODs", "Module (PS3.3)", "Condition"),
        [(" > ".join((*r.path, r.keyword)), r.attribute_type, ", ".join(r.iods),
          f"{r.module} ({r.section})", r.condition_text) for r in CONDITIONAL_RULES])


def _check_codes() -> list[str]:
    lines = ["### 8.2 Findings of `rtviewer check` with fixed severities", ""]
    return lines + _table(("Code", "Severity"),
                          [(code, sev.value) for code, sev in sorted(ISSUE_SEVERITIES.items())])


def _private() -> list[str]:
    lines = ["### 8.3 Private SOP Classes and attributes", "",
             "Standard content under these private SOP Classes is read as its standard "
             "counterpart (and reported as `PRIVATE_SOP_CLASS`):", ""]
    lines += _table(("SOP Class", "UID", "Read as"),
                    [(c.name, c.uid, c.kind) for c in SOP_CLASSES.values() if c.private])
    return lines + ["Private attributes are ignored. rtviewer defines no private "
                    "attributes, coded terminology or transfer syntaxes.", ""]


def render_conformance_statement() -> str:
    """Return docs/CONFORMANCE.md as Markdown, generated from rtviewer's tables."""
    lines = [f"# rtviewer {__version__} — DICOM Conformance Statement", "",
             "<!-- Generated by `python -m rtviewer.cli.conformance_doc`; do not edit. -->",
             "", *_overview(), "## 2 Table of Contents", "",
             "1 Overview · 3 Introduction · 4 Networking · 5 Media Interchange · "
             "6 Character Sets · 7 Security · 8 Annexes", "",
             "## 3 Introduction", "", INTRODUCTION, *_networking(), *_media(),
             *_character_sets(), "## 7 Security", "", SECURITY, *_iod_annex(),
             *_check_codes(), *_private()]
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    """Print the statement on standard output."""
    print(render_conformance_statement(), end="")


if __name__ == "__main__":
    main()
