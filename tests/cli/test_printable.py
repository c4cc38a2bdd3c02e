"""Control characters from files and peers are escaped wherever text is printed (issue 16.4)."""

from __future__ import annotations

import io
import logging
import subprocess
import sys
import warnings

import pydicom
import pytest

from rtviewer.printable import install_log_escaping, printable, progress_line


def test_printable_escapes_every_control_character_and_keeps_the_rest():
    assert printable("a\nb\tc\rd") == "a\\nb\\tc\\rd"
    assert printable("\x1b[2J\x00\x7f\x85") == "\\x1b[2J\\x00\\x7f\\x85"
    assert printable("right\u202eto left\u2028") == "right\\u202eto left\\u2028"
    assert printable("Léa^Müller 1.2.3\\4") == "Léa^Müller 1.2.3\\4"  # backslash = VM sep
    assert printable(None) == ""


def test_log_records_are_one_line_whatever_the_arguments():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("rtviewer.test_printable")
    logger.addHandler(handler)
    old = logging.getLogRecordFactory()
    try:
        install_log_escaping()
        logger.warning("association from %s rejected", "EVIL\nrtviewer: all fine")
    finally:
        logging.setLogRecordFactory(old)
        logger.removeHandler(handler)
    assert stream.getvalue() == "association from EVIL\\nrtviewer: all fine rejected\n"


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_uses_carriage_returns_only_on_a_terminal():
    piped = io.StringIO()
    progress_line("3/10 files", stream=piped)
    progress_line("10/10 files", last=True, stream=piped)
    assert piped.getvalue() == ""
    tty = _Tty()
    progress_line("3/10 files", stream=tty)
    progress_line("10/10 files", last=True, stream=tty)
    assert tty.getvalue() == "\r3/10 files\r10/10 files\n"


@pytest.mark.corpus
def test_scan_and_check_print_a_forged_series_description_escaped(corpus, tmp_path):
    ds = pydicom.dcmread(corpus / "dicompyler-core/rtplan.dcm")
    with warnings.catch_warnings():  # a hostile label is longer than SH allows
        warnings.simplefilter("ignore")
        ds.SeriesDescription = "plan\nPatient FAKE forged\x1b[31m"
        ds.RTPlanLabel = "B1\r\nFORGED LINE"
    ds.save_as(tmp_path / "plan.dcm")
    for command in ("scan", "check"):
        done = subprocess.run([sys.executable, "-m", "rtviewer", command, str(tmp_path)],
                              capture_output=True, text=True, timeout=120, check=False)
        assert "\x1b" not in done.stdout + done.stderr, command
        assert "\r" not in done.stdout + done.stderr, command
        assert not any(line.startswith("Patient FAKE") for line in done.stdout.splitlines())
        assert not any(line.startswith("FORGED") for line in done.stdout.splitlines())
    scan_out = subprocess.run([sys.executable, "-m", "rtviewer", "scan", str(tmp_path)],
                              capture_output=True, text=True, timeout=120, check=True).stdout
    assert "'plan\\nPatient FAKE forged\\x1b[31m'" in scan_out
