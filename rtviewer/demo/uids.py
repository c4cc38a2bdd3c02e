"""Deterministic UIDs and fixed dates for the demo patients.

Every UID is a hash of a fixed root, the generator seed and a readable role name
(``"thorax/ct/slice/12"``), so two runs write byte-identical files and two roles
never collide.
"""

from __future__ import annotations

from pydicom.uid import PYDICOM_ROOT_UID, generate_uid

__all__ = ["IMPLEMENTATION_CLASS_UID", "IMPLEMENTATION_VERSION", "UidFactory"]

#: pydicom's registered root, which pydicom offers for generated UIDs.
_ROOT = PYDICOM_ROOT_UID
#: Implementation Class UID of the demo writer (fixed, so file meta never changes).
IMPLEMENTATION_CLASS_UID = generate_uid(prefix=_ROOT, entropy_srcs=["rtviewer-demo-writer"])
IMPLEMENTATION_VERSION = "RTVIEWER_DEMO_1"


class UidFactory:
    """Make UIDs from role names, reproducibly for a given seed."""

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)

    def __call__(self, *role: object) -> str:
        """Return the UID of ``role`` (any printable parts, joined by ``/``)."""
        name = "/".join(str(part) for part in role)
        return str(generate_uid(prefix=_ROOT, entropy_srcs=["rtviewer-demo", str(self.seed), name]))
