"""The transfer syntaxes whose pixel data rtviewer decodes, and with which package.

The list is checked against pydicom's pixel decoders by
``tests/dicom/test_transfer_syntaxes.py``: every entry must be decodable with the
installed dependencies and every decodable syntax must be listed, so this table
(and docs/CONFORMANCE.md, generated from it) says what rtviewer really reads.
Objects without pixel data (RT Structure Set, RT Plan, records) are read in any
of the uncompressed syntaxes.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydicom import uid

__all__ = ["TransferSyntax", "DECODED_TRANSFER_SYNTAXES", "NOT_DECODED"]


@dataclass(frozen=True)
class TransferSyntax:
    """A transfer syntax rtviewer reads.

    Parameters
    ----------
    uid : str
    name : str
        The DICOM name.
    decoder : str
        The package that decodes its pixel data.
    """

    uid: str
    name: str
    decoder: str


def _ts(value: str, decoder: str) -> TransferSyntax:
    return TransferSyntax(str(value), uid.UID(value).name, decoder)


#: Every transfer syntax rtviewer decodes, in the order of PS3.5 Annex A.
DECODED_TRANSFER_SYNTAXES: tuple[TransferSyntax, ...] = (
    _ts(uid.ImplicitVRLittleEndian, "pydicom (also the default for files without file meta)"),
    _ts(uid.ExplicitVRLittleEndian, "pydicom"),
    _ts(uid.DeflatedExplicitVRLittleEndian, "pydicom (zlib)"),
    _ts(uid.ExplicitVRBigEndian, "pydicom (retired syntax, still read)"),
    _ts(uid.JPEGBaseline8Bit, "Pillow"),
    _ts(uid.JPEGExtended12Bit, "Pillow"),
    _ts(uid.JPEGLSLossless, "pyjpegls"),
    _ts(uid.JPEGLSNearLossless, "pyjpegls"),
    _ts(uid.JPEG2000Lossless, "pylibjpeg-openjpeg (or Pillow)"),
    _ts(uid.JPEG2000, "pylibjpeg-openjpeg (or Pillow)"),
    _ts(uid.HTJ2KLossless, "pylibjpeg-openjpeg"),
    _ts(uid.HTJ2KLosslessRPCL, "pylibjpeg-openjpeg"),
    _ts(uid.HTJ2K, "pylibjpeg-openjpeg"),
    _ts(uid.RLELossless, "pydicom (or pylibjpeg-rle)"),
)

#: Compressed syntaxes seen in RT archives that rtviewer does not decode, and why.
NOT_DECODED: tuple[tuple[str, str], ...] = (
    (str(uid.JPEGLossless), "needs pylibjpeg-libjpeg (GPL-3.0) or GDCM, not bundled"),
    (str(uid.JPEGLosslessSV1), "needs pylibjpeg-libjpeg (GPL-3.0) or GDCM, not bundled"),
)
