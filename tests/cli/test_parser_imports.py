"""The command line reaches its work without the heavy imports it does not need.

``rtviewer --help`` builds the parser of every subcommand; ``rtviewer open PATH``
builds it too, then forks the start-up loader (:mod:`rtviewer.ui.workers.prefetch`)
before Qt. Neither may import numpy, Qt, pyqtgraph or pydicom on the way: numpy alone
was 0.2-0.3 s of CPU before the fork (the structure models' names, now in
:mod:`rtviewer.core.model_names`). The loader's own deliberate imports just before
the fork (numpy, shared with its child) are where this check stops.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from testsupport import REPO_ROOT

_HEAVY = ("numpy", "PySide6", "shiboken6", "pyqtgraph", "pydicom", "scipy", "skimage", "yaml")

_LOADED = (f"sorted(m for m in sys.modules if m.split('.')[0] in {_HEAVY!r})")


def _run(code: str, home: Path, *args: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    env["HOME"] = str(home)
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         cwd=REPO_ROOT, env=env, timeout=300, check=True)
    return list(json.loads(out.stdout.strip().splitlines()[-1]))


def test_building_the_parser_imports_nothing_heavy(tmp_path):
    code = ("import json, sys\n"
            "from rtviewer.cli import build_parser\n"
            "parser = build_parser()\n"
            "assert 'dvh' in parser.format_help()\n"
            f"print(json.dumps({_LOADED}))\n")
    assert _run(code, tmp_path) == []


def test_open_reaches_the_fork_without_heavy_imports(tmp_path, corpus):
    # stop where the loader imports what it shares with its child, just before os.fork
    code = ("import json, sys\n"
            "import rtviewer.ui.workers.prefetch as prefetch\n"
            "def stop():\n"
            f"    print(json.dumps({_LOADED}))\n"
            "    raise SystemExit(0)\n"
            "prefetch._can_fork = lambda: True\n"
            "prefetch._import_shared_modules = stop\n"
            "from rtviewer.cli import main\n"
            "main(['open', sys.argv[1]])\n"
            "print('the fork was not reached')\n")
    assert _run(code, tmp_path, str(corpus / "dicompyler-core")) == []
