"""``rtviewer open`` parses with the window's own options only, exactly as the full parser.

``rtviewer.cli.COMMANDS`` names each headless subcommand beside its module, so that
``rtviewer open PATH`` and ``rtviewer PATH`` need not import the sixteen command modules
to learn their names; the parser they use (``build_parser(window_only=True)``) must
give the same arguments, help and errors as the full one.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io

import pytest

from rtviewer.cli import COMMAND_MODULES, COMMANDS, build_parser


def _choices(parser: argparse.ArgumentParser) -> list[str]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return list(action.choices)


def test_each_command_module_registers_the_name_it_is_listed_under():
    for name, module_name in COMMANDS.items():
        parser = argparse.ArgumentParser(prog="rtviewer")
        sub = parser.add_subparsers()
        importlib.import_module(module_name).add_parser(sub)
        assert list(sub.choices) == [name], module_name
    assert tuple(COMMANDS.values()) == COMMAND_MODULES


def test_the_full_parser_has_every_command_and_the_window_parser_only_open():
    assert _choices(build_parser()) == ["open", *COMMANDS]
    assert _choices(build_parser(window_only=True)) == ["open"]


def _parse(parser: argparse.ArgumentParser, argv: list[str]) -> tuple[object, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            result: object = {k: v for k, v in vars(parser.parse_args(argv)).items()
                              if k != "_run"}
        except SystemExit as exc:
            result = ("exit", exc.code)
    return result, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("argv", [
    ["open", "/data/a"],
    ["open", "/data/a", "/data/b", "--lesson", "l.rtlesson.yaml"],
    ["open"],
    ["open", "-h"],
    ["open", "/data/a", "--bogus"],
    ["open", "/data/a", "--version"],
    ["open", "--lesson"],
])
def test_open_lines_parse_help_and_fail_the_same_with_the_window_parser(argv):
    full = _parse(build_parser(), argv)
    assert _parse(build_parser(window_only=True), argv) == full
    assert isinstance(full[0], dict) or full[1] or full[2]  # parsed, or something was said
