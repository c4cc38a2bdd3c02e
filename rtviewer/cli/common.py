"""What every headless command does alike: its logging, its error lines, its output.

Standard library only, so that importing a command module stays fast.
"""

from __future__ import annotations

import logging
import sys

from rtviewer.printable import install_log_escaping, printable


def fail(command: str, message: object, status: int) -> int:
    """Print ``rtviewer COMMAND: MESSAGE`` on stderr and return ``status``.

    The one shape of a command's error line, so that ``return fail(...)`` ends
    a command with the exit status its docstring promises.
    """
    print(f"rtviewer {command}: {printable(message)}", file=sys.stderr)
    return status


def quiet_logging(prefix: str) -> None:
    """Log warnings on stderr as ``PREFIX: LEVEL: message``; silence pydicom's.

    pydicom's complaints are captured per file as findings; logging them too
    would say everything twice.
    """
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING,
                        format=f"{prefix}: %(levelname)s: %(message)s")
    logging.getLogger("pydicom").setLevel(logging.ERROR)
    install_log_escaping()  # peer AE titles and labels reach the log through arguments


def print_document(text: str) -> None:
    """Print ``text`` on stdout; a closed pipe (``rtviewer ... | head``) is not an error."""
    try:
        print(text)
        sys.stdout.flush()
    except BrokenPipeError:
        sys.stderr.close()


def goal_synonyms(given: str | None, command: str) -> dict[str, str]:
    """The structure-name synonyms of ``--synonyms``, else of the user's file (said on stderr).

    Parameters
    ----------
    given : str or None
        The ``--synonyms`` file, if any.
    command : str
        The subcommand, for the stderr line.
    """
    from rtviewer.config import synonyms_path
    from rtviewer.dicom.goal_file import read_synonyms

    if given:
        return read_synonyms(given)
    path = synonyms_path()
    if not path.is_file():
        return {}
    print(f"rtviewer {command}: synonyms from {printable(path)}", file=sys.stderr)
    return read_synonyms(path)
