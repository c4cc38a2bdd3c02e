"""Regenerate the raster icons in ``rtviewer/resources/`` from ``rtviewer.svg``.

Run after editing the SVG: ``.venv/bin/python packaging/make_icons.py``. Needs
``rsvg-convert`` (Debian: ``librsvg2-bin``) for the PNGs and Pillow (installed with
scikit-image) for the Windows ``.ico`` and macOS ``.icns`` kept in ``packaging/``.
The outputs are committed, so building a wheel or a bundle never needs these tools.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from PIL import Image

PACKAGING = Path(__file__).resolve().parent
RESOURCES = PACKAGING.parent / "rtviewer" / "resources"
#: hicolor sizes installed on Linux (``icons/hicolor/NxN/apps``).
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def main() -> None:
    """Write ``rtviewer-N.png`` for every size; the ``.ico``/``.icns`` used by the bundles."""
    svg = RESOURCES / "rtviewer.svg"
    for size in PNG_SIZES:
        out = RESOURCES / f"rtviewer-{size}.png"
        subprocess.run(
            ["rsvg-convert", "-w", str(size), "-h", str(size), str(svg), "-o", str(out)],
            check=True,
        )
    largest = Image.open(RESOURCES / "rtviewer-512.png")
    ico_sizes = [(s, s) for s in (16, 24, 32, 48, 64, 128, 256)]
    largest.save(PACKAGING / "windows" / "rtviewer.ico", sizes=ico_sizes)
    largest.save(PACKAGING / "macos" / "rtviewer.icns")


if __name__ == "__main__":
    main()
