r"""Fill in ``rtviewer.reg.template`` for one install folder and print the ``.reg`` file.

Usage: ``python render_reg.py "C:\Users\me\AppData\Local\Programs\rtviewer" > rtviewer.reg``
then double-click ``rtviewer.reg`` (or ``reg import rtviewer.reg``). The Inno Setup
installer writes the same keys itself; this is for the unzipped one-folder bundle.
"""

from __future__ import annotations

import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "rtviewer.reg.template"
PLACEHOLDER = "@INSTALL_DIR@"


def render(install_dir: str) -> str:
    r"""Return the ``.reg`` text with ``install_dir`` in place of the placeholder.

    Backslashes are doubled and quotes escaped, as string values in ``.reg`` files need
    (``C:\Program Files\rtviewer`` becomes ``C:\\Program Files\\rtviewer``).
    """
    if '"' in install_dir or not install_dir.strip():
        raise ValueError(f"install_dir must be a non-empty Windows path, got {install_dir!r}")
    escaped = install_dir.rstrip("\\/").replace("/", "\\").replace("\\", "\\\\")
    return TEMPLATE.read_text(encoding="ascii").replace(PLACEHOLDER, escaped)


def main() -> int:
    """Print the rendered file (CRLF line ends, as regedit writes them)."""
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    sys.stdout.buffer.write(render(sys.argv[1]).replace("\n", "\r\n").encode("ascii"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
