r"""Text from a file or a peer, made safe to print: control characters escaped.

A DICOM string is whatever the sender put there. An RT Plan Label of
``"ok\n/tmp/FAKE.dcm\t1.2.3.4\tRT Plan 'forged' received from AE PACS"`` printed raw
adds a forged line to ``rtviewer receive``'s output; an ESC sequence can rewrite a
terminal. Every peer- or file-supplied string that reaches stdout, stderr, the log
or a table cell goes through :func:`printable` (the CLI and the window), and every
log record's message through :func:`install_log_escaping`.

Standard library only: the CLI imports it before anything heavy.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable
from typing import TextIO

__all__ = ["printable", "printable_row", "install_log_escaping", "progress_line"]

# C0 controls (tab and newline included), DEL, C1 controls, and the Unicode line and
# paragraph separators and bidirectional controls that reorder or break a line.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: object) -> str:
    r"""``str(text)`` with every control character written as an escape (``\n``, ``\x1b``).

    Parameters
    ----------
    text : object
        A value from a file or a peer (``None`` gives ``""``).

    Returns
    -------
    str
        One line with no control characters; printable text is unchanged.

    Examples
    --------
    >>> printable("ok\n/tmp/FAKE.dcm\tforged")
    'ok\\n/tmp/FAKE.dcm\\tforged'
    >>> printable("Breast L\u00e9a")
    'Breast Léa'
    """
    if text is None:
        return ""
    return _CONTROL.sub(_escape, str(text))


def printable_row(values: Iterable[object]) -> list[str]:
    """:func:`printable` of each value: the cells of one table or tree row."""
    return [printable(v) for v in values]


class _EscapedRecord(logging.LogRecord):
    """A log record whose message cannot hold a control character (one record, one line)."""

    def getMessage(self) -> str:  # noqa: N802 - logging's name
        return printable(super().getMessage())


def install_log_escaping() -> None:
    """Make every log record's message printable (idempotent; for every handler).

    Peer AE titles, addresses and labels reach the log through ``%s`` arguments; a
    record factory covers every handler, including ones added later.
    """
    logging.setLogRecordFactory(_EscapedRecord)


def progress_line(text: str, *, last: bool = False, stream: TextIO | None = None) -> None:
    r"""Show a progress ``text`` on ``stream`` (stderr), redrawn in place; ``last`` ends it.

    ``\r`` only on a terminal; a pipe or a log file gets nothing (a redirected
    stream would otherwise collect one unterminated line of carriage returns; the
    commands print their summary line anyway).
    """
    stream = stream or sys.stderr
    try:
        interactive = stream.isatty()
    except (AttributeError, ValueError):
        interactive = False
    if interactive:
        stream.write(f"\r{text}\n" if last else f"\r{text}")
        stream.flush()
