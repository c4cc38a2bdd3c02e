"""The ``rtviewer`` command: the window, or a headless subcommand.

Each headless subcommand lives in its own module of this package, exposing
``add_parser(subparsers)`` and ``run(args) -> int``; register it in
``COMMAND_MODULES``. Command modules import their heavy dependencies inside
``run`` so that ``rtviewer --help`` stays fast, and never import Qt.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
import threading
from collections.abc import Sequence

from rtviewer import __version__

#: Modules implementing headless subcommands (module name -> subcommand names).
COMMAND_MODULES: tuple[str, ...] = (
    "rtviewer.cli.scan",
    "rtviewer.cli.render",
    "rtviewer.cli.report",
    "rtviewer.cli.check",
    "rtviewer.cli.dvh",
    "rtviewer.cli.plan",
    "rtviewer.cli.points",
    "rtviewer.cli.brachy_check",
    "rtviewer.cli.goals",
    "rtviewer.cli.compare",
    "rtviewer.cli.receive",
    "rtviewer.cli.query",
    "rtviewer.cli.retrieve",
    "rtviewer.cli.send",
    "rtviewer.cli.demo",
    "rtviewer.cli.export",
)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with one subparser per command."""
    parser = argparse.ArgumentParser(
        prog="rtviewer",
        description="A viewer for DICOM-RT data. Without a command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"rtviewer {__version__}")
    parser.add_argument("--install-desktop", action="store_true",
                        help="Linux: add rtviewer to the menu and 'Open With' for this user")
    parser.add_argument("--uninstall-desktop", action="store_true",
                        help="Linux: remove what --install-desktop added")
    parser.add_argument("--demo", action="store_true",
                        help="open the built-in teaching patients (generated once into the cache)")
    parser.add_argument("--lesson", metavar="FILE",
                        help="open a lesson (*.rtlesson.yaml) in the window; its steps "
                             "open the data they name (the demo patients on demand)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p_open = sub.add_parser("open", help="open folders or files in the window")
    p_open.add_argument("paths", nargs="+", metavar="PATH")
    p_open.add_argument("--lesson", metavar="FILE", default=argparse.SUPPRESS,
                        help="also open this lesson (*.rtlesson.yaml)")
    for name in COMMAND_MODULES:
        module = importlib.import_module(name)
        command = module.add_parser(sub)
        command.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``rtviewer`` command line; return the process exit status."""
    args_in = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    # ``rtviewer FOLDER`` (double-click, file managers) means ``rtviewer open FOLDER``.
    if args_in and not args_in[0].startswith("-") and args_in[0] not in _command_names(parser):
        args_in = ["open", *args_in]
    args = parser.parse_args(args_in)
    if args.install_desktop or args.uninstall_desktop:
        from rtviewer.desktop import main as desktop_main

        return desktop_main(install=args.install_desktop)
    if args.command in (None, "open"):
        from rtviewer.app import main as gui_main  # lazy: headless commands never import Qt

        paths = list(getattr(args, "paths", None) or [])
        demo = False
        if args.demo:
            from rtviewer.demo.generate import cached_demo_dir

            if cached_demo_dir().is_dir():
                paths.insert(0, str(cached_demo_dir()))
            else:  # the first run: the window shows at once, the demo behind a progress bar
                demo = True
        lesson = getattr(args, "lesson", None)
        if lesson is None:  # a lesson file among the paths (double-click, Open With)
            lesson = next((p for p in paths if p.lower().endswith(".rtlesson.yaml")), None)
            paths = [p for p in paths if p != lesson]
        return gui_main(paths, demo=demo, lesson=lesson)
    previous = _terminate_like_quit()
    try:
        return int(args._run(args))
    finally:
        # every worker process pool the command used ends with it
        from rtviewer.process_pool import close_all_pools

        close_all_pools()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _terminate_like_quit() -> signal.Handlers | None:
    """SIGTERM (``kill``, a session's logout) unwinds like Ctrl-C, closing the pools.

    Returns the handler to restore (None when nothing was changed: not the main
    thread, or a handler is already installed).
    """
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL):
        return None
    signal.signal(signal.SIGTERM, _raise_exit)
    return signal.SIG_DFL


def _raise_exit(number: int, _frame: object) -> None:
    raise SystemExit(128 + number)


def _command_names(parser: argparse.ArgumentParser) -> set[str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    return set()
