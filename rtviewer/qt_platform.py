"""Before Qt starts: check that the system libraries of its X11 platform plugin exist.

Qt 6.5 and later load ``libxcb-cursor.so.0`` (and a dozen other X11 libraries)
from the system; without one, creating the window aborts the process with a core
dump and a message about "xcb" that names no package. This module asks ``ldd``
which libraries the installed PySide6's ``libqxcb.so`` cannot find and turns
them into the one ``apt-get install`` line that fixes it. No Qt import here (the
point is to run before Qt), nothing of rtviewer.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = ["DEBIAN_PACKAGES", "install_hint", "missing_libraries", "parse_ldd",
           "platform_problem", "uses_xcb", "xcb_plugin"]

#: The Debian/Ubuntu package providing each library the xcb plugin loads.
DEBIAN_PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-xinput.so.0": "libxcb-xinput0",
    "libxcb.so.1": "libxcb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
}


def uses_xcb(env: Mapping[str, str]) -> bool:
    """Whether Qt will try its X11 (xcb) plugin first in this environment (Linux)."""
    if not sys.platform.startswith("linux"):
        return False
    requested = env.get("QT_QPA_PLATFORM", "").strip()
    if requested:
        return requested.split(";")[0].split(":")[0] == "xcb"
    # unset: a Wayland session gets the wayland plugin, anything else xcb
    return not env.get("WAYLAND_DISPLAY")


def xcb_plugin() -> Path | None:
    """The installed PySide6's ``libqxcb.so`` (None when PySide6 or the plugin is absent)."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or spec.origin is None:
        return None
    plugin = Path(spec.origin).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    return plugin if plugin.is_file() else None


def parse_ldd(text: str) -> list[str]:
    """The libraries ``ldd`` reports as ``not found``, in its order, once each."""
    missing: list[str] = []
    for line in text.splitlines():
        name, _, where = line.strip().partition(" => ")
        if where.strip() == "not found" and name not in missing:
            missing.append(name)
    return missing


def missing_libraries(plugin: Path) -> list[str]:
    """The shared libraries ``plugin`` needs and the system lacks ([] without ``ldd``)."""
    ldd = shutil.which("ldd")
    if ldd is None:
        return []
    try:
        done = subprocess.run([ldd, str(plugin)], capture_output=True, text=True, timeout=60,
                              check=False)
    except (OSError, subprocess.TimeoutExpired):
        return []
    return parse_ldd(done.stdout)


def install_hint(missing: Sequence[str]) -> str:
    """The message for ``missing`` libraries: what is missing and the line that fixes it."""
    packages = sorted({DEBIAN_PACKAGES[name] for name in missing if name in DEBIAN_PACKAGES})
    unknown = [name for name in missing if name not in DEBIAN_PACKAGES]
    lines = [f"the window cannot start: Qt's X11 platform plugin needs {', '.join(missing)}, "
             "which this system does not have."]
    if packages:
        lines.append(f"On Debian/Ubuntu: sudo apt-get install {' '.join(packages)}")
    if unknown:
        lines.append(f"(install the package that provides {', '.join(unknown)})")
    return "\n".join(lines)


def platform_problem(env: Mapping[str, str] | None = None) -> str | None:
    """Why the window would abort on this system (missing X11 libraries), or None."""
    if not uses_xcb(os.environ if env is None else env):
        return None
    plugin = xcb_plugin()
    if plugin is None:
        return None
    missing = missing_libraries(plugin)
    return install_hint(missing) if missing else None
