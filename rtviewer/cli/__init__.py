"""The ``rtviewer`` command: the window, or a headless subcommand.

Each headless subcommand lives in its own module of this package, exposing
``add_parser(subparsers)`` and ``run(args) -> int``; register it in ``COMMANDS``
under the name its ``add_parser`` gives it. Command modules import their heavy
dependencies inside ``run`` so that ``rtviewer --help`` stays fast, and never import
Qt. ``rtviewer open PATH`` (and ``rtviewer PATH``) imports none of them: the window
needs only its own subcommand, and it starts sooner.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
import threading
from collections.abc import Sequence

from rtviewer import __version__

#: Headless subcommands, in the order ``--help`` lists them: name -> its module.
COMMANDS: dict[str, str] = {
    "scan": "rtviewer.cli.scan",
    "render": "rtviewer.cli.render",
    "report": "rtviewer.cli.report",
    "check": "rtviewer.cli.check",
    "dvh": "rtviewer.cli.dvh",
    "plan": "rtviewer.cli.plan",
    "points": "rtviewer.cli.points",
    "brachy-check": "rtviewer.cli.brachy_check",
    "goals": "rtviewer.cli.goals",
    "compare": "rtviewer.cli.compare",
    "receive": "rtviewer.cli.receive",
    "query": "rtviewer.cli.query",
    "retrieve": "rtviewer.cli.retrieve",
    "send": "rtviewer.cli.send",
    "demo": "rtviewer.cli.demo",
    "export": "rtviewer.cli.export",
}
#: Modules implementing headless subcommands.
COMMAND_MODULES: tuple[str, ...] = tuple(COMMANDS.values())


def build_parser(*, window_only: bool = False) -> argparse.ArgumentParser:
    """Return the argument parser with one subparser per command.

    ``window_only``: only the window's options and ``open``, for a command line that
    begins with ``open`` (the headless commands' modules are then not imported; what
    such a line parses to, its help and its errors are the same).
    """
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
    for name in () if window_only else COMMAND_MODULES:
        module = importlib.import_module(name)
        command = module.add_parser(sub)
        command.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``rtviewer`` command line; return the process exit status."""
    args_in = list(sys.argv[1:] if argv is None else argv)
    # ``rtviewer FOLDER`` (double-click, file managers) means ``rtviewer open FOLDER``.
    if args_in and not args_in[0].startswith("-") and args_in[0] not in ("open", *COMMANDS):
        args_in = ["open", *args_in]
    args = build_parser(window_only=args_in[:1] == ["open"]).parse_args(args_in)
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
