"""Build the one-folder PyInstaller bundle and report its size and build time.

Usage: ``.venv/bin/python packaging/build_bundle.py [--dist DIR] [--work DIR]``
(needs the ``packaging`` extra: ``pip install -e '.[packaging]'``). The bundle lands
in ``DIR/rtviewer/`` (default ``dist/rtviewer/``); run ``DIR/rtviewer/rtviewer --version``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def folder_size_bytes(folder: Path) -> int:
    """Return the total size in bytes of the regular files under ``folder``."""
    total = 0
    for dirpath, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(dirpath) / name
            if not path.is_symlink():
                total += path.stat().st_size
    return total


def build(dist: Path, work: Path) -> tuple[Path, float]:
    """Run PyInstaller on ``rtviewer.spec``; return (bundle folder, seconds taken)."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
         "--distpath", str(dist), "--workpath", str(work), str(HERE / "rtviewer.spec")],
        check=True, cwd=REPO,
    )
    return dist / "rtviewer", time.perf_counter() - start


def main() -> int:
    """Build, then print the bundle folder, its size in MiB and the build time in s."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=REPO / "dist")
    parser.add_argument("--work", type=Path, default=REPO / "build" / "pyinstaller")
    args = parser.parse_args()
    folder, seconds = build(args.dist.resolve(), args.work.resolve())
    size_mib = folder_size_bytes(folder) / 2**20
    print(f"bundle: {folder}\nsize: {size_mib:.1f} MiB\nbuild time: {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
