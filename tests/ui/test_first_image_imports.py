"""``rtviewer open FOLDER`` shows its first image without what it does not need for it.

Run as ``benchmarks/viewer.py`` times it: the console entry (``rtviewer.cli.main``) in a
fresh interpreter, the start-up loader forking before Qt, and the first paint of a slice
view holding an image. At that moment none of the modules below may be loaded: each was
once imported before the first image and cost the window's start CPU (issue 17 point 9),
and each now loads when what needs it is used. Whoever adds one back sees this fail.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from testsupport import REPO_ROOT

from rtviewer.cli import COMMAND_MODULES

#: Loaded only when used, never before the first image (prefixes: a package and its
#: submodules).
NOT_AT_FIRST_IMAGE = (
    *COMMAND_MODULES,  # the headless subcommands: rtviewer open parses with 'open' only
    "rtviewer.cli.common", "rtviewer.cli.net_common",  # what those share
    "skimage",  # isodose lines (view.isodose_lines), drawn after the first image
    "importlib.metadata", "email",  # the version is a literal; About reads the metadata
    "multiprocessing.popen_forkserver",  # the DVH workers start after the first image
)

_CHILD = r"""
import json, sys, time
from rtviewer import app as rtviewer_app
from rtviewer.cli import main

seen = {}


def watch(app):
    from PySide6 import QtCore, QtWidgets
    from rtviewer.ui.views.slice_view import SliceView

    class FirstPaint(QtCore.QObject):
        def eventFilter(self, obj, event):
            if "view" in seen and "modules" not in seen:  # the first event after that paint
                seen["modules"] = sorted(sys.modules)
                feature = sys.modules.get("shibokensupport.feature")
                check = getattr(feature, "_mod_uses_pyside", None)
                seen["quick_check"] = type(check).__name__ == "partial"
                QtCore.QTimer.singleShot(0, finish)
            if event.type() == QtCore.QEvent.Type.Paint and not ({"view", "modules"} & set(seen)):
                view = obj.parent().parent() if isinstance(obj, QtWidgets.QWidget) and \
                    obj.parent() is not None else None
                if isinstance(view, SliceView) and view.overlays["image"].item.image is not None:
                    seen["view"] = view
                    seen["shape"] = list(view.overlays["image"].item.image.shape)
            return False

    def finish():  # as the benchmark does: the window's threads end before it closes
        window = seen.pop("view").window()
        window.viewer_controller.wait()
        window.viewer_controller.viewer.dvh_panel.wait_all()
        app.processEvents()
        window.close()
        app.quit()

    app.watcher = FirstPaint()
    app.installEventFilter(app.watcher)
    QtCore.QTimer.singleShot(120000, app.quit)  # a folder without an image: fail, not hang


build = rtviewer_app.build_window


def watched_build(**kwargs):
    from PySide6 import QtWidgets

    watch(QtWidgets.QApplication.instance())
    return build(**kwargs)


rtviewer_app.build_window = watched_build
status = main(["open", sys.argv[1]])
seen["status"] = status
print(json.dumps(seen))
"""


@pytest.mark.corpus
def test_first_image_of_a_folder_without_the_modules_that_load_later(corpus, tmp_path):
    screen = tmp_path / "screen.json"  # the benchmark's 1600x1000 screen, not 800x800
    screen.write_text(json.dumps({"screens": [{
        "name": "test", "x": 0, "y": 0, "width": 1600, "height": 1000,
        "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "HOME": str(tmp_path),
           "RTVIEWER_CONFIG_DIR": str(tmp_path / "config"),
           "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "RTVIEWER_CACHE_DIR": str(tmp_path / "cache"),
           "QT_QPA_PLATFORM": f"offscreen:configfile={screen}"}
    out = subprocess.run([sys.executable, "-c", _CHILD, str(corpus / "dicompyler-core")],
                         capture_output=True, text=True, cwd=REPO_ROOT, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["status"] == 0 and "modules" in seen, seen.get("status")
    # a real first image: the CT slice of dicompyler-core (1 slice of 512 x 512)
    assert max(seen["shape"]) == 512 and min(seen["shape"]) >= 1
    loaded = [m for m in seen["modules"]
              if any(m == name or m.startswith(name + ".") for name in NOT_AT_FIRST_IMAGE)]
    assert loaded == []
    assert seen["quick_check"]  # PySide6's per-module check reads bytes (startup.py)
    # what the window does need is there (the test would pass vacuously otherwise)
    assert {"pyqtgraph", "numpy", "rtviewer.ui.views.slice_view", "rtviewer.cli"} <= set(
        seen["modules"])
