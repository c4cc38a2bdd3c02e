"""The transfer-syntax table says exactly what pydicom decodes with our dependencies."""

from __future__ import annotations

import pytest
from pydicom.pixels import get_decoder
from pydicom.uid import AllTransferSyntaxes

from rtviewer.dicom.transfer_syntaxes import DECODED_TRANSFER_SYNTAXES, NOT_DECODED


def _decodable(uid: str) -> bool:
    try:
        return bool(get_decoder(uid).is_available)
    except NotImplementedError:  # pydicom has no decoder for this syntax at all
        return False


@pytest.mark.parametrize("syntax", DECODED_TRANSFER_SYNTAXES, ids=lambda s: s.name)
def test_every_listed_syntax_is_decodable(syntax):
    assert _decodable(syntax.uid)


def test_every_decodable_syntax_is_listed():
    listed = {s.uid for s in DECODED_TRANSFER_SYNTAXES}
    assert {str(u) for u in AllTransferSyntaxes if _decodable(u)} == listed


@pytest.mark.parametrize(("uid", "why"), NOT_DECODED)
def test_not_decoded_really_are_not(uid, why):
    assert not _decodable(uid), why
