"""docs/CONFORMANCE.md is exactly what the code's tables generate."""

from __future__ import annotations

from pathlib import Path

import rtviewer.cli.conformance_doc as doc
from rtviewer.dicom.sop_classes import SOP_CLASSES, SopClass
from rtviewer.dicom.transfer_syntaxes import DECODED_TRANSFER_SYNTAXES

DOC = Path(__file__).resolve().parents[2] / "docs" / "CONFORMANCE.md"


def test_document_matches_the_code():
    assert DOC.read_text(encoding="utf-8") == doc.render_conformance_statement(), (
        "docs/CONFORMANCE.md is stale: run "
        "`python -m rtviewer.cli.conformance_doc > docs/CONFORMANCE.md`")


def test_document_follows_ps3_2_and_lists_every_class_and_syntax():
    text = DOC.read_text(encoding="utf-8")
    for heading in ("## 1 Conformance Statement Overview", "## 3 Introduction",
                    "## 4 Networking", "## 5 Media Interchange",
                    "### 5.2 SOP Classes read from media", "### 5.3 Transfer syntaxes decoded",
                    "## 6 Support of Character Sets", "## 7 Security", "## 8 Annexes"):
        assert heading in text
    for sop in SOP_CLASSES.values():
        assert f"| {sop.name} | {sop.uid} |" in text
    for syntax in DECODED_TRANSFER_SYNTAXES:
        assert f"| {syntax.name} | {syntax.uid} | {syntax.decoder} |" in text
    assert "`ISO_IR 192`" in text  # UTF-8


def test_a_new_sop_class_makes_the_document_stale(monkeypatch):
    extra = SopClass("1.2.3.4.5", "Made-up Storage", "other")
    monkeypatch.setitem(SOP_CLASSES, extra.uid, extra)
    assert DOC.read_text(encoding="utf-8") != doc.render_conformance_statement()
