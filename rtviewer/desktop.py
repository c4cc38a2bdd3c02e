"""Linux desktop integration for the current user: menu entry, icons, MIME types.

``rtviewer --install-desktop`` copies the freedesktop.org files shipped in
``rtviewer/resources/`` under ``$XDG_DATA_HOME`` (default ``~/.local/share``):

- ``applications/rtviewer.desktop`` -- the menu entry and the "Open with" target
  for folders (``inode/directory``) and DICOM files (``application/dicom``), its
  ``Exec`` line pointing at the ``rtviewer`` that runs this code;
- ``icons/hicolor/NxN/apps/rtviewer.png`` and ``icons/hicolor/scalable/apps/rtviewer.svg``;
- ``mime/packages/rtviewer-mime.xml`` -- ``application/dicom`` for systems whose
  shared-mime-info predates it;

then refreshes the caches with ``update-desktop-database``, ``update-mime-database``
and ``gtk-update-icon-cache`` where installed. ``--uninstall-desktop`` removes
exactly these files. Neither changes the user's default applications: making
rtviewer the default for a type stays the user's choice (``xdg-mime default``).
No Qt here, so the command works on a machine without a display.

Specifications: Desktop Entry 1.4, Icon Theme, Shared MIME-info Database
(https://specifications.freedesktop.org/).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

DESKTOP_FILE = "rtviewer.desktop"
MIME_PACKAGE = "rtviewer-mime.xml"
ICON_NAME = "rtviewer"
#: PNG sizes shipped as ``rtviewer-N.png`` and installed as hicolor ``NxN``.
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
# Characters the Desktop Entry spec reserves in Exec arguments (need quoting).
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


@dataclass(frozen=True)
class DesktopChange:
    """What an install or uninstall did.

    Attributes
    ----------
    data_home : Path
        The XDG data directory written to.
    files : tuple of Path
        Files written (install) or removed (uninstall).
    tools_run : tuple of str
        Cache-refresh commands that ran successfully.
    tools_missing : tuple of str
        Cache-refresh commands not installed or failed (the files still work;
        the desktop notices them at next login).
    """

    data_home: Path
    files: tuple[Path, ...]
    tools_run: tuple[str, ...]
    tools_missing: tuple[str, ...]


def xdg_data_home(environ: Mapping[str, str] | None = None) -> Path:
    """Return ``$XDG_DATA_HOME``, or ``~/.local/share`` when unset or relative (per the spec)."""
    env = os.environ if environ is None else environ
    value = env.get("XDG_DATA_HOME", "")
    if value and os.path.isabs(value):
        return Path(value)
    home = env.get("HOME") or str(Path.home())
    return Path(home) / ".local" / "share"


def launcher_argv() -> list[str]:
    """Return the command that starts this rtviewer, as absolute paths where possible.

    A PyInstaller bundle is its own executable; an installed package has an
    ``rtviewer`` script beside its Python (a virtual environment's ``bin``), else
    one on ``PATH``; the last resort is ``python -m rtviewer``.
    """
    if getattr(sys, "frozen", False):
        return [sys.executable]
    script_name = "rtviewer.exe" if os.name == "nt" else "rtviewer"
    beside = Path(sys.executable).parent / script_name
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside)]
    found = shutil.which("rtviewer")
    if found:
        return [str(Path(found).resolve())]
    return [sys.executable, "-m", "rtviewer"]


def quote_exec_argument(arg: str) -> str:
    r"""Quote one argument for a desktop entry's ``Exec`` key.

    Applies the Exec quoting rules (reserved characters force double quotes;
    inside them ``"``, `````, ``$`` and ``\\`` get a backslash), then the string
    escaping every value gets (``\\`` -> ``\\\\``) and doubles ``%`` so it is not
    read as a field code.
    """
    quoted = arg
    if not arg or any(ch in _RESERVED for ch in arg):
        inner = "".join("\\" + ch if ch in '"`$\\' else ch for ch in arg)
        quoted = f'"{inner}"'
    return quoted.replace("\\", "\\\\").replace("%", "%%")


def desktop_entry_text(argv: Sequence[str]) -> str:
    """Return the shipped desktop entry with ``Exec``/``TryExec`` set to ``argv``.

    Parameters
    ----------
    argv : sequence of str
        The launcher command; ``%F`` (the selected files and folders) is appended.
    """
    template = resources.files("rtviewer.resources").joinpath(DESKTOP_FILE).read_text("utf-8")
    exec_value = " ".join(quote_exec_argument(a) for a in argv) + " %F"
    try_exec = argv[0].replace("\\", "\\\\")
    lines = []
    for line in template.splitlines():
        if line.startswith("Exec="):
            line = f"Exec={exec_value}"
        elif line.startswith("TryExec="):
            line = f"TryExec={try_exec}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def _targets(data_home: Path) -> dict[str, Path]:
    """Map each shipped resource name to where it is installed under ``data_home``."""
    icons = data_home / "icons" / "hicolor"
    targets = {
        DESKTOP_FILE: data_home / "applications" / DESKTOP_FILE,
        MIME_PACKAGE: data_home / "mime" / "packages" / MIME_PACKAGE,
        f"{ICON_NAME}.svg": icons / "scalable" / "apps" / f"{ICON_NAME}.svg",
    }
    for size in ICON_SIZES:
        targets[f"{ICON_NAME}-{size}.png"] = icons / f"{size}x{size}" / "apps" / f"{ICON_NAME}.png"
    return targets


def install_desktop(
    *,
    data_home: Path | None = None,
    argv: Sequence[str] | None = None,
    refresh: bool = True,
) -> DesktopChange:
    """Install the desktop entry, icons and MIME package for the current user.

    Parameters
    ----------
    data_home : Path, optional
        Target XDG data directory; default :func:`xdg_data_home`.
    argv : sequence of str, optional
        Command the entry runs; default :func:`launcher_argv`.
    refresh : bool
        Run the cache-refresh tools afterwards.
    """
    home = xdg_data_home() if data_home is None else data_home
    command = launcher_argv() if argv is None else list(argv)
    shipped = resources.files("rtviewer.resources")
    written = []
    for name, target in _targets(home).items():
        target.parent.mkdir(parents=True, exist_ok=True)
        if name == DESKTOP_FILE:
            target.write_text(desktop_entry_text(command), encoding="utf-8")
            target.chmod(0o755)  # some file managers distrust non-executable entries
        else:
            target.write_bytes(shipped.joinpath(name).read_bytes())
        written.append(target)
    ran, missing = _refresh_caches(home) if refresh else ((), ())
    return DesktopChange(home, tuple(written), ran, missing)


def uninstall_desktop(*, data_home: Path | None = None, refresh: bool = True) -> DesktopChange:
    """Remove what :func:`install_desktop` wrote; other files are never touched."""
    home = xdg_data_home() if data_home is None else data_home
    removed = []
    for target in _targets(home).values():
        if target.is_file():
            target.unlink()
            removed.append(target)
    ran, missing = _refresh_caches(home) if refresh else ((), ())
    return DesktopChange(home, tuple(removed), ran, missing)


def _refresh_caches(data_home: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Run the freedesktop cache tools that exist; return (ran, missing or failed)."""
    commands = {
        "update-desktop-database": [str(data_home / "applications")],
        "update-mime-database": [str(data_home / "mime")],
        "gtk-update-icon-cache": ["-f", "-t", "-q", str(data_home / "icons" / "hicolor")],
    }
    ran: list[str] = []
    missing: list[str] = []
    for tool, args in commands.items():
        path = shutil.which(tool)
        if path is None or not Path(args[-1]).is_dir():
            missing.append(tool)
            continue
        result = subprocess.run([path, *args], capture_output=True, text=True, check=False)
        (ran if result.returncode == 0 else missing).append(tool)
    return tuple(ran), tuple(missing)


def main(*, install: bool) -> int:
    """Run ``rtviewer --install-desktop`` (``install=True``) or ``--uninstall-desktop``.

    Prints what was done on stdout; returns 0, or 2 on a platform without XDG
    desktop integration (Windows and macOS use the installers in ``packaging/``).
    """
    if sys.platform.startswith(("win", "darwin")):
        print(
            "rtviewer: desktop integration on Windows and macOS comes with the installer "
            "(packaging/windows, packaging/macos); nothing to do here.",
            file=sys.stderr,
        )
        return 2
    change = install_desktop() if install else uninstall_desktop()
    verb = "installed" if install else "removed"
    print(f"rtviewer: {verb} {len(change.files)} files under {change.data_home}")
    for path in change.files:
        print(f"  {path}")
    if change.tools_run:
        print(f"refreshed with: {', '.join(change.tools_run)}")
    if change.tools_missing:
        print(f"not run (not installed or failed): {', '.join(change.tools_missing)}")
    if install:
        print("rtviewer is now offered under 'Open With' for folders and DICOM files; to make it "
              "the default for .dcm files: xdg-mime default rtviewer.desktop application/dicom")
    return 0
