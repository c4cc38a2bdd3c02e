"""The menus added just after the first image import nothing heavy, and still all work.

``rtviewer.app`` adds the Network menu and Help (Keyboard and mouse, User guide,
Lessons, About) on the GUI thread right after the first image; what they need --
pynetdicom and pydicom for the network, pydicom's tables for About, PyYAML for the
built-in lessons' titles -- loads when an action is first used, so the window answers
input at once. Run in a fresh interpreter: other tests have imported everything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from testsupport import REPO_ROOT

_CODE = r"""
import json, sys
from PySide6 import QtWidgets
app = QtWidgets.QApplication([])
from rtviewer import app as rtviewer_app
window, _controller, _open = rtviewer_app.build_window(opening=True)  # late menus wait
before = set(sys.modules)
rtviewer_app._add_late_menus(window)
added = sorted(m for m in set(sys.modules) - before
               if m.split('.')[0] in ('pynetdicom', 'pydicom', 'yaml'))
menus = {a.text(): a.menu() for a in window.menuBar().actions() if a.menu() is not None}
texts = lambda menu: [a.text() for a in menu.actions()]
lessons = next(a.menu() for a in menus['&Help'].actions() if a.text() == '&Lessons')
before_show = texts(lessons)
lessons.aboutToShow.emit()  # the titles are read when the menu is first shown
lessons.aboutToShow.emit()  # once
opened = []
window.lessons.open_file = opened.append
lessons.actions()[0].trigger()
print(json.dumps({"added": added, "bar": list(menus), "network": texts(menus['&Network']),
                  "help": texts(menus['&Help']), "before_show": before_show,
                  "lessons": texts(lessons), "opened": [str(p) for p in opened],
                  "yaml": 'yaml' in sys.modules}))
"""


def test_late_menus_import_nothing_heavy_and_keep_their_actions(tmp_path):
    from rtviewer.view.lesson_file import builtin_lesson_paths, read_lesson

    env = {**os.environ, "HOME": str(tmp_path), "RTVIEWER_CONFIG_DIR": str(tmp_path / "c"),
           "XDG_CONFIG_HOME": str(tmp_path / "c"), "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", _CODE], capture_output=True, text=True,
                         cwd=REPO_ROOT, env=env, timeout=300, check=True)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["added"] == []
    assert got["bar"][-2:] == ["&Network", "&Help"]
    assert got["network"] == ["&Receive from the network", "&Query / Retrieve…",
                              "&Send selected plan with its chain…", "Network s&ettings…",
                              "Network"]
    assert "&Lessons" in got["help"] and any("About" in t for t in got["help"])
    fixed = ["", "Open lesson file…", "New lesson (record steps)"]
    assert got["before_show"] == fixed
    paths = builtin_lesson_paths()
    titles = [read_lesson(p).title for p in paths]
    assert len(titles) >= 6
    assert got["lessons"] == [*titles, *fixed]  # each once, in the package's order
    assert got["opened"] == [str(paths[0])]  # the first built-in lesson's action opens it
    assert got["yaml"]


def test_a_folder_with_nothing_to_load_gets_its_menus_with_its_scan(qtbot, corpus):
    """pylinac's RT Images alone: Network and Help came only after the 4 s bound."""
    import time

    from PySide6 import QtWidgets

    from rtviewer import app as rtviewer_app

    window, controller, open_path = rtviewer_app.build_window(opening=True)
    qtbot.addWidget(window)
    window.show()
    start = time.monotonic()
    with qtbot.waitSignal(window.scan_finished, timeout=30_000):
        open_path(str(corpus / "pylinac"))

    def bar() -> list[str]:
        return [a.text().replace("&", "") for a in window.menuBar().actions()]

    qtbot.waitUntil(lambda: "Help" in bar(), timeout=3_000)
    assert time.monotonic() - start < rtviewer_app._LATE_MENUS_MS / 1000
    assert bar()[-2:] == ["Network", "Help"] and not controller.loading
    QtWidgets.QApplication.processEvents()
    window.close()
