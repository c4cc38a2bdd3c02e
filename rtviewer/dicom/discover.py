"""Find the files under a folder: regular files once each, everything else skipped.

Symbolic links are followed, but a file or folder reached a second time (a second
link to it, a link loop) is listed as skipped. Real paths win over links: the tree is
walked without following links first, then the links are resolved. Non-regular files
(FIFOs, sockets, devices) are never opened.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["FoundFile", "Discovery", "discover"]


@dataclass(frozen=True)
class FoundFile:
    """A regular file to read: absolute path (as reached), size and mtime in ns."""

    path: str
    size: int
    mtime_ns: int


@dataclass
class Discovery:
    """Regular files to read, and (path, reason) for everything skipped or unreadable."""

    files: list[FoundFile] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    cancelled: bool = False


_KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def _not_regular(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return f"not a regular file: {name}"
    return "not a regular file"


class _Walker:
    def __init__(self, cancel: Callable[[], bool]) -> None:
        self.out = Discovery()
        self.seen_files: dict[tuple[object, object], str] = {}
        self.seen_dirs: dict[tuple[object, object], str] = {}
        self.links: list[str] = []
        self.cancel = cancel

    def walk_dir(self, path: str) -> None:
        """Walk a folder tree with an explicit stack (no recursion limit on deep trees)."""
        stack = [path]
        while stack and not self.out.cancelled:
            for sub in reversed(self._list(stack.pop())):
                stack.append(sub)

    def _list(self, path: str) -> list[str]:
        """Account for one folder's entries; return its sub-folders to walk."""
        try:
            with os.scandir(path) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            self.out.problems.append((path, f"cannot list the folder ({exc.strerror or exc})"))
            return []
        folders = []
        for entry in entries:
            if self.cancel():
                self.out.cancelled = True
                return []
            if entry.is_symlink():
                self.links.append(entry.path)
                continue
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError as exc:
                self.out.problems.append((entry.path, f"cannot stat ({exc.strerror or exc})"))
                continue
            if self.visit(entry.path, st, walk=False):
                folders.append(entry.path)
        return folders

    def visit(self, path: str, st: os.stat_result, *, walk: bool = True) -> bool:
        """Account for one path; return True for a new folder (walked when ``walk``)."""
        key: tuple[object, object] = (st.st_dev, st.st_ino)
        if not st.st_ino:  # Windows DirEntry.stat() has no inode: compare real paths
            key = ("path", os.path.normcase(os.path.realpath(path)))
        if stat.S_ISDIR(st.st_mode):
            if key in self.seen_dirs:
                self.out.skipped.append(
                    (path, f"second path to a folder already scanned ({self.seen_dirs[key]})"))
                return False
            self.seen_dirs[key] = path
            if walk:
                self.walk_dir(path)
            return True
        elif not stat.S_ISREG(st.st_mode):
            self.out.skipped.append((path, _not_regular(st.st_mode)))
        elif key in self.seen_files:
            self.out.skipped.append(
                (path, f"second path to a file already scanned ({self.seen_files[key]})"))
        else:
            self.seen_files[key] = path
            self.out.files.append(FoundFile(path, st.st_size, st.st_mtime_ns))
        return False

    def resolve_links(self) -> None:
        while self.links and not self.out.cancelled:
            link = self.links.pop(0)
            try:
                st = os.stat(link)  # follows the link
            except OSError as exc:
                reason = "symbolic link loop" if exc.errno == errno.ELOOP else \
                    f"broken symbolic link ({exc.strerror or exc})"
                self.out.skipped.append((link, reason))
                continue
            self.visit(link, st)


def discover(root: str, cancel: Callable[[], bool] | None = None) -> Discovery:
    """List the regular files under ``root`` (a folder or a single file).

    Parameters
    ----------
    root : str
        Absolute path of a folder (walked recursively) or of one file.
    cancel : callable, optional
        Returns True when the user asked to stop.

    Returns
    -------
    Discovery
        Files sorted by path, plus skipped and unreadable paths with reasons.
    """
    walker = _Walker(cancel or (lambda: False))
    st = os.stat(root)
    walker.visit(root, st)
    walker.resolve_links()
    walker.out.files.sort(key=lambda f: f.path)
    return walker.out
