"""The start-up loader: a forked child's scan and scene equal the window's own, bit for bit;
whatever it does not deliver the window reads itself; it never outlives the window.

Each case runs in a fresh interpreter: the loader forks only before Qt (and any thread)
exists, which the test process is not.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from testsupport import REPO_ROOT

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="the start-up loader forks on Linux only")


def _run(code: str, *args: str, timeout: int = 240) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         cwd=REPO_ROOT, env=env, timeout=timeout)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


#: Whether a child process has been reaped (no zombie left).
_GONE = r"""
import os
def gone(pid):
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False
"""

_SAME_AS_IN_PROCESS = _GONE + r"""
import json, os, pickle, sys
import numpy as np
from pathlib import Path
from rtviewer.ui.workers import prefetch
folder = Path(sys.argv[1])
loader = prefetch.start(folder / sys.argv[2] if len(sys.argv) > 2 else folder)
pid = loader._pid
scanned = loader.scan_for(folder)
from rtviewer.dicom.scan import scan
from rtviewer.ui.workers.scene_load import load_scene
from rtviewer.view.chain import window_chain
chain = window_chain(scanned)[0]
messages = list(loader.load_for(chain))
mine = load_scene(chain)
theirs = messages[-1][1]
def arrays(scene):
    out = []
    if scene.image is not None:
        out.append(scene.image.voxels)
    if scene.dose is not None:
        out.append(scene.dose.dose_gy)
    if scene.structures is not None:
        out += [c.points_mm for roi in scene.structures.rois for c in roi.contours]
    return out
reaped = gone(pid)
print(json.dumps({
    "scan_equal": scanned == scan(folder),
    "kinds": [what for what, _ in messages],
    "chain_equal": theirs.chain == mine.chain,
    "problems_equal": theirs.problems == mine.problems,
    "headers_equal": theirs.headers == mine.headers,
    "n_arrays": len(arrays(mine.scene)),
    "arrays_equal": len(arrays(theirs.scene)) == len(arrays(mine.scene)) and all(
        a.dtype == b.dtype and np.array_equal(a, b) and a.flags.writeable == b.flags.writeable
        for a, b in zip(arrays(theirs.scene), arrays(mine.scene))),
    # every field of every object (dataclasses holding arrays do not compare with ==)
    "objects_equal": {name: pickle.dumps(getattr(theirs.scene, name), 5)
                      == pickle.dumps(getattr(mine.scene, name), 5)
                      for name in ("image", "dose", "plan", "structures")},
    "image_shared": theirs.scene.image is None or all(
        r.scene.image is theirs.scene.image for _w, r in messages),
    "reaped": reaped,
}))
"""


@pytest.mark.corpus
def test_the_childs_scan_and_scene_are_the_windows_own(corpus):
    out = _run(_SAME_AS_IN_PROCESS, str(corpus / "dicompyler-core"))
    assert out["scan_equal"] and out["chain_equal"] and out["problems_equal"]
    assert out["headers_equal"]
    assert out["objects_equal"] == {"image": True, "dose": True, "plan": True, "structures": True}
    assert out["n_arrays"] > 100 and out["arrays_equal"]  # CT, dose, every contour
    assert out["kinds"][-1] == "loaded"
    assert out["image_shared"]  # the CT travels once, however many partial scenes hold it
    assert out["reaped"]  # no zombie once the scene is taken


@pytest.mark.corpus
def test_a_file_opens_its_folder_in_the_child_too(corpus):
    out = _run(_SAME_AS_IN_PROCESS, str(corpus / "dicompyler-core"), "rtplan.dcm")
    assert out["scan_equal"] and out["chain_equal"] and out["arrays_equal"]


_FAILURES = _GONE + r"""
import json, os, signal, sys, time
from pathlib import Path
from rtviewer.ui.workers import prefetch
folder = Path(sys.argv[1])
out = {}
# the child dies: the window scans itself
loader = prefetch.start(folder)
os.kill(loader._pid, signal.SIGKILL)
pid = loader._pid
out["killed_scan"] = loader.scan_for(folder)
out["killed_reaped"] = gone(pid)
# another folder, another chain: nothing taken, the child stopped
loader = prefetch.start(folder)
pid = loader._pid
out["other_folder"] = loader.scan_for(folder.parent)
scanned = loader.scan_for(folder)
out["scan_once"] = scanned is not None and loader.scan_for(folder) is None
out["other_chain"] = loader.load_for("another chain")
out["other_chain_reaped"] = gone(pid)
# cancelled at once (a second launch): the child ends cleanly, its cache file whole
loader = prefetch.start(folder)
pid = loader._pid
time.sleep(float(sys.argv[2]))
loader.cancel()
out["cancel_reaped"] = gone(pid)
cache = Path(os.environ["RTVIEWER_CACHE_DIR"])
out["temporary_files"] = sorted(p.name for p in cache.rglob("*.tmp"))
print(json.dumps(out))
"""


@pytest.mark.corpus
@pytest.mark.parametrize("delay_s", [0.0, 0.3])
def test_what_the_child_does_not_deliver_the_window_reads_itself(corpus, delay_s):
    out = _run(_FAILURES, str(corpus / "dicompyler-core"), str(delay_s))
    assert out["killed_scan"] is None and out["killed_reaped"]
    assert out["other_folder"] is None and out["scan_once"]
    assert out["other_chain"] is None and out["other_chain_reaped"]
    assert out["cancel_reaped"] and out["temporary_files"] == []


def test_no_fork_once_qt_is_imported(tmp_path):
    code = ("import json\nimport PySide6.QtCore\nfrom rtviewer.ui.workers import prefetch\n"
            f"print(json.dumps({{'loader': prefetch.start({str(tmp_path)!r}) is not None}}))")
    assert _run(code) == {"loader": False}


_WINDOW = r"""
import json, sys
from rtviewer import app as rtviewer_app
if sys.argv[2] == "off":
    rtviewer_app._start_prefetch = lambda *args: None
build = rtviewer_app.build_window
seen = {}
def watched_build(**kwargs):
    window, controller, open_path = build(**kwargs)
    from PySide6 import QtCore, QtWidgets
    def partial(_result):
        seen.setdefault("pydicom_at_first_image", "pydicom" in sys.modules)
    def loaded(result):
        scene = controller.viewer.scene
        tree = window.tree
        seen.update(
            title=window.windowTitle(), banner=controller.viewer.banner.caption,
            roots=tree.topLevelItemCount(),
            rows=sum(1 for _ in range(tree.topLevelItem(0).childCount())),
            image=scene.image is not None and scene.image.voxels.shape,
            dose=scene.dose is not None and float(scene.dose.max_gy),
            rois=scene.structures is not None and len(scene.structures.rois),
            plan=scene.plan is not None and scene.plan.label,
            loader=window.prefetch is not None)
        QtCore.QTimer.singleShot(0, QtWidgets.QApplication.instance().quit)
    controller.loaded.connect(loaded)
    for name in ("_on_partial", "_on_loaded"):  # the first scene shown, whichever it is
        def shown(result, generation, original=getattr(controller, name)):
            partial(result)
            original(result, generation)
        setattr(controller, name, shown)
    return window, controller, open_path
rtviewer_app.build_window = watched_build
status = rtviewer_app.main([sys.argv[1]])
seen["status"] = status
print(json.dumps(seen))
"""


@pytest.mark.corpus
def test_the_window_shows_the_same_with_and_without_the_loader(corpus, tmp_path, monkeypatch):
    monkeypatch.setenv("RTVIEWER_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("HOME", str(tmp_path))  # its own single-instance socket
    folder = str(corpus / "dicompyler-core")
    with_loader = _run(_WINDOW, folder, "on")
    without = _run(_WINDOW, folder, "off")
    assert with_loader.pop("loader") and not without.pop("loader")
    assert with_loader.pop("pydicom_at_first_image") is False  # the child read the files
    without.pop("pydicom_at_first_image", None)
    assert with_loader == without
    assert with_loader["rois"] > 0 and with_loader["dose"] > 0 and with_loader["status"] == 0


_SECOND_LAUNCH = _GONE + r"""
import json, os, sys
from rtviewer import app as rtviewer_app
from rtviewer.ui.workers import prefetch
started = []
real_start = prefetch.start
def start(path):
    loader = real_start(path)
    started.append(loader._pid)
    return loader
prefetch.start = start
if sys.argv[2] == "qt":  # the hand-over before the fork missed (Windows, a race)
    from rtviewer.ui.window import instance_link
    instance_link.hand_over = lambda *args, **kwargs: False
status = rtviewer_app.main([sys.argv[1]])
print(json.dumps({"status": status, "forked": len(started),
                  "reaped": all(gone(pid) for pid in started),
                  "qt": "PySide6" in sys.modules}))
"""


@pytest.mark.corpus
@pytest.mark.parametrize("way", ["socket", "qt"])
def test_a_second_launch_hands_over_and_its_loader_ends(qapp, corpus, tmp_path, monkeypatch,
                                                       way):
    """Found before the fork: no loader, no Qt; found by Qt: the loader forked is reaped."""
    monkeypatch.setenv("RTVIEWER_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("HOME", str(tmp_path))
    from PySide6 import QtCore

    from rtviewer.ui.window import single_instance

    # the running window: a server on this home's socket that acknowledges every request
    server = single_instance.InstanceServer()
    assert server.listen()
    received: list[list[str]] = []
    server.paths_received.connect(received.append)
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.Popen([sys.executable, "-c", _SECOND_LAUNCH,
                             str(corpus / "dicompyler-core"), way], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=REPO_ROOT, env=env)
    deadline = QtCore.QDeadlineTimer(120_000)
    while proc.poll() is None and not deadline.hasExpired():
        QtCore.QCoreApplication.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 50)
    server.close()
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    result = json.loads(out.strip().splitlines()[-1])
    assert result == ({"status": 0, "forked": 0, "reaped": True, "qt": False} if way == "socket"
                      else {"status": 0, "forked": 1, "reaped": True, "qt": True})
    assert received == [[str(corpus / "dicompyler-core")]]
