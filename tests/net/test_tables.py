"""The network code negotiates exactly what rtviewer/net/tables.py (and the doc) says."""

from __future__ import annotations

from pathlib import Path

from rtviewer.config import ReceiverSettings
from rtviewer.dicom.sop_classes import SOP_CLASSES
from rtviewer.dicom.transfer_syntaxes import DECODED_TRANSFER_SYNTAXES
from rtviewer.net.receive import StorageServer
from rtviewer.net.send import _contexts
from rtviewer.net.tables import (
    ASSOCIATION_POLICIES,
    COMMAND_SYNTAXES,
    ROLES,
    STORAGE_CLASSES,
    TRANSFER_SYNTAXES,
    VERIFICATION,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "CONFORMANCE.md"


def test_the_scp_supports_exactly_the_documented_contexts(tmp_path):
    with StorageServer(ReceiverSettings(port=0), tmp_path) as server:
        supported = {cx.abstract_syntax: tuple(cx.transfer_syntax)
                     for cx in server._server.ae.supported_contexts}
    scp = {uid: role.transfer_syntaxes for role in ROLES if role.role == "SCP"
           for uid in role.sop_classes}
    assert supported == scp
    assert supported[VERIFICATION] == COMMAND_SYNTAXES


def test_storage_classes_are_the_displayed_kinds_with_every_decoded_syntax():
    names = {c.name for c in STORAGE_CLASSES}
    for wanted in ("CT Image Storage", "MR Image Storage",
                   "Positron Emission Tomography Image Storage", "RT Structure Set Storage",
                   "RT Plan Storage", "RT Ion Plan Storage", "RT Dose Storage",
                   "RT Image Storage", "RT Beams Treatment Record Storage",
                   "RT Ion Beams Treatment Record Storage",
                   "RT Brachy Treatment Record Storage"):
        assert wanted in names
    assert "Media Storage Directory Storage" not in names
    assert all(c is SOP_CLASSES[c.uid] for c in STORAGE_CLASSES)
    assert tuple(t.uid for t in DECODED_TRANSFER_SYNTAXES) == TRANSFER_SYNTAXES


def test_send_offers_the_file_syntax_and_uncompressed_alternatives():
    ct, plan = "1.2.840.10008.5.1.4.1.1.2", "1.2.840.10008.5.1.4.1.1.481.5"
    j2k, implicit, explicit = "1.2.840.10008.1.2.4.91", "1.2.840.10008.1.2", \
        "1.2.840.10008.1.2.1"
    contexts = [(cx.abstract_syntax, cx.transfer_syntax) for cx in _contexts(
        [(ct, j2k), (plan, implicit), (ct, implicit), (plan, implicit)])]
    # each file's own syntax alone (an acceptor cannot pick another one for it),
    # then one uncompressed fallback per SOP Class
    assert contexts == [(ct, [j2k]), (plan, [implicit]), (ct, [implicit]),
                        (plan, [explicit, implicit]), (ct, [explicit, implicit])]


def test_the_conformance_statement_lists_the_network_roles_and_policies():
    text = DOC.read_text(encoding="utf-8")
    for role in ROLES:
        assert f"### {role.name} — {role.role}" in text
    for policy, value in ASSOCIATION_POLICIES:
        assert f"| {policy} | {value} |" in text
