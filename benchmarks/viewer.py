"""Viewer benchmarks (issue 5): slice-step redraw, open-to-first-image, resident memory.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/viewer.py [CORPUS]``.
Prints one line per figure. Not a test: the numbers depend on the machine.
``--slice-steps``: only the slice-step figures. ``--first-image [--baseline CHECKOUT]
[--runs N]``: only the open-to-first-image figures, or those of this checkout and
another (e.g. ``git archive`` of an earlier commit) timed in turn, with the CPU ratio.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CHILD = r"""
import sys, time
t0 = float(sys.argv[2])
NO_IMAGE_S = 120
sys.path.insert(0, sys.argv[4])  # this checkout's rtviewer


def watch(app):
    from PySide6 import QtCore, QtWidgets
    import resource

    seen = {}

    class FirstPaint(QtCore.QObject):
        # the first paint of a slice view that holds an image: what the user sees
        def eventFilter(self, obj, event):
            if "view" in seen and "t" not in seen:
                # the first event after that paint: the image is on screen (timed here, not
                # in the timer below, which runs after the events already queued)
                seen["t"] = time.time() - t0
                seen["cpu"] = time.process_time()  # all threads of the window's process
            if event.type() == QtCore.QEvent.Type.Paint and "view" not in seen:
                from rtviewer.ui.views.slice_view import SliceView
                view = obj.parent().parent() if isinstance(obj, QtWidgets.QWidget) and \
                    obj.parent() is not None else None
                if isinstance(view, SliceView) and view.overlays["image"].item.image is not None:
                    seen["view"] = view  # once: later paints must not report again
                    QtCore.QTimer.singleShot(0, painted)  # after this paint event
            return False

    def painted():
        window = seen["view"].window()
        window.viewer_controller.wait()
        window.viewer_controller.viewer.dvh_panel.wait_all()
        app.processEvents()
        status = open("/proc/self/status").read()
        rss = [l for l in status.splitlines() if l.startswith("VmRSS")][0].split()[1]
        # the start-up loader (a forked child, reaped once its scene is taken)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        print(f"FIRST_IMAGE {seen['t']:.3f} RSS_KB {rss} CPU {seen['cpu']:.3f} "
              f"CHILDREN_CPU {children.ru_utime + children.ru_stime:.3f}", flush=True)
        window.close()
        app.quit()

    def no_image():
        print(f"no image painted in {NO_IMAGE_S} s", file=sys.stderr, flush=True)
        app.exit(3)

    app.watcher = FirstPaint()
    app.installEventFilter(app.watcher)
    QtCore.QTimer.singleShot(NO_IMAGE_S * 1000, no_image)  # a folder without an image


def main():
    # ``rtviewer open FOLDER`` itself: the console entry's function (parser included; its
    # start-up loader forks before Qt); the watcher is installed on the application when
    # the window is built, before it is shown
    from rtviewer import app as rtviewer_app
    from rtviewer.cli import main as rtviewer_command

    build = rtviewer_app.build_window

    def watched_build(**kwargs):
        from PySide6 import QtWidgets

        watch(QtWidgets.QApplication.instance())
        return build(**kwargs)

    rtviewer_app.build_window = watched_build
    sys.exit(rtviewer_command(["open", sys.argv[1]]))


if __name__ == "__main__":  # DVH worker processes import this script again
    main()
"""


def open_to_first_image(folder: Path, runs: int = 3,
                        repo: Path = REPO) -> tuple[float, float, float, float]:
    """Seconds from process start to the first image painted, resident MB after DVHs,
    CPU seconds of the window's process until that paint (on a shared machine the wall
    time includes waiting for other processes; the CPU time much less so) and CPU
    seconds of its start-up loader (the forked child that reads the folder; medians).

    The child runs the window exactly as ``rtviewer open FOLDER`` does (the console
    entry ``rtviewer.cli.main`` with ``["open", FOLDER]``: its parser, then
    ``rtviewer.app.main``, whose loader forks before Qt) and stops at the first
    paint of a slice view holding an image; the process start (interpreter,
    imports) is included. ``repo``: the checkout whose rtviewer runs (another one
    compares two versions in the same run: ``--first-image --baseline DIR``).
    """
    times, rss, cpu, loader = zip(*first_image_runs(folder, runs, repo), strict=True)
    return statistics.median(times), max(rss), statistics.median(cpu), statistics.median(loader)


def first_image_runs(folder: Path, runs: int = 3,
                     repo: Path = REPO) -> list[tuple[float, float, float, float]]:
    """Each run of :func:`open_to_first_image`: (wall s, resident MB, CPU s, loader CPU s)."""
    if not folder.is_dir():  # the child would wait for an image that never comes
        raise SystemExit(f"benchmarks/viewer.py: no folder {folder} (the corpus: "
                         "RTVIEWER_TEST_DATA or the CORPUS argument)")
    results = []
    # Everything the children write lives in a directory of this run: two benchmark runs
    # at once (two checkouts) must not overwrite each other's script, settings or log.
    with tempfile.TemporaryDirectory(prefix="rtviewer-bench-open-") as tmp:
        run_dir = Path(tmp)
        script = run_dir / "rtviewer_bench_open.py"  # a file: worker processes import it
        script.write_text(CHILD, encoding="utf-8")
        # An installed rtviewer has its bytecode compiled (pip does it); a checkout run
        # with PYTHONDONTWRITEBYTECODE compiles every module at each start (~0.3 s here).
        # The children keep bytecode in the run's directory, and a first run (not
        # counted) writes it. The scan cache starts empty in every run: a folder opened
        # for the first time.
        # HOME: the single-instance socket is named for the home folder and the display, so
        # another checkout's benchmark child would otherwise receive this one's folder
        # (and this child exit at once, as a second launch does)
        env = {**os.environ, "RTVIEWER_CONFIG_DIR": str(run_dir / "config"),
               "XDG_CONFIG_HOME": str(run_dir / "config"),
               "PYTHONPYCACHEPREFIX": str(run_dir / "pycache"), "HOME": str(run_dir)}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        if env.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
            env["QT_QPA_PLATFORM"] = f"offscreen:configfile={_offscreen_screen(run_dir)}"
        for run in range(runs + 1):
            with tempfile.TemporaryDirectory(prefix="rtviewer-bench-cache") as cache:
                out = subprocess.run([sys.executable, str(script), str(folder),
                                      repr(time.time()), str(run_dir / "rtviewer.log"),
                                      str(repo)], capture_output=True, text=True,
                                     env={**env, "RTVIEWER_CACHE_DIR": cache}, cwd=repo,
                                     timeout=300)
            parts = _first_image_line(out, folder).split()
            if run == 0:
                continue
            results.append((float(parts[1]), int(parts[3]) / 1024, float(parts[5]),
                            float(parts[7])))
    return results


def _first_image_line(out: subprocess.CompletedProcess[str], folder: Path) -> str:
    """The child's one ``FIRST_IMAGE`` line; a child that showed no image names the folder."""
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("FIRST_IMAGE")]
    if len(lines) != 1:
        raise SystemExit(f"benchmarks/viewer.py: the window on {folder} reported "
                         f"{len(lines)} first images (exit status {out.returncode}):\n"
                         f"{out.stderr[-2000:]}")
    return lines[0]


def _offscreen_screen(run_dir: Path, width: int = 1600, height: int = 1000) -> Path:
    """A Qt offscreen configuration with one ``width`` x ``height`` screen (px).

    The offscreen platform's own screen is 800x800, narrower than the window's minimum
    width: a first run (or one restoring its layout) maximises the window there, and its
    first paint then waited for the whole scene to load (not so under ``xvfb-run`` at
    1600x1000, where the window paints at the first partial scene, as on a desktop).
    """
    path = run_dir / "offscreen.json"
    path.write_text(json.dumps({"screens": [{
        "name": "bench", "x": 0, "y": 0, "width": width, "height": height,
        "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}), encoding="utf-8")
    return path


def ct150_folder(out_dir: Path = Path("/tmp/rtviewer-bench-ct150")) -> Path:
    """A 512x512x150 CT (3 mm slices, a water cylinder in air) written once with the demo writer."""
    return ct_folder(150, out_dir)


def ct_folder(slices: int, out_dir: Path, chunk: int = 50) -> Path:
    """A 512x512 CT of ``slices`` 3 mm slices (a water cylinder in air), written once.

    Written ``chunk`` slices at a time, so that the writer never holds the whole
    volume (a 1000-slice float32 volume would be 1 GB in this process).
    """
    def complete(folder: Path) -> bool:
        return len(list(folder.rglob("*.dcm"))) == slices

    if complete(out_dir):
        return out_dir
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    # Written beside and renamed into place: a run started meanwhile (another checkout)
    # sees all the slices or none, never a half-written series.
    staging = Path(tempfile.mkdtemp(prefix=f"{out_dir.name}.", dir=out_dir.parent))
    _write_cylinder_ct(slices, staging, chunk)
    if out_dir.exists() and not complete(out_dir):  # left by an interrupted run
        shutil.rmtree(out_dir, ignore_errors=True)
    try:
        staging.rename(out_dir)
    except OSError:  # another run has put its copy in place first
        shutil.rmtree(staging, ignore_errors=True)
    return out_dir


def _write_cylinder_ct(slices: int, out_dir: Path, chunk: int) -> None:
    """Write the water cylinder CT of :func:`ct_folder` into ``out_dir``."""
    from rtviewer.demo.ct import write_ct_series
    from rtviewer.demo.phantom import CtGeometry
    from rtviewer.demo.uids import UidFactory
    from rtviewer.demo.writer import Patient, Series

    uid = UidFactory(slices)
    patient = Patient(f"BENCH{slices}", f"Bench^CT{slices}", "19700101", "O", uid("study"),
                      "20260101", "120000", "benchmark", uid("for"))
    series = Series("CT", uid("series"), 1, f"{slices} slices", "20260101", "120000")
    rng = np.random.default_rng(5)
    for first in range(0, slices, chunk):
        count = min(chunk, slices - first)
        geometry = CtGeometry(shape=(count, 512, 512),
                              origin_mm=(-250.0, -250.0, -225.0 + 3.0 * first),
                              pixel_mm=500 / 511, slice_mm=3.0)
        x, y = geometry.axis_mm(0), geometry.axis_mm(1)
        inside = (x[None, :] ** 2 + y[:, None] ** 2) < 180.0**2
        hu = np.where(inside, 0.0, -1000.0)[None].repeat(count, axis=0).astype(np.float32)
        hu += rng.normal(0, 8, hu.shape).astype(np.float32)
        write_ct_series(hu, geometry, patient=patient, series=series,
                        slice_uids=[uid("slice", k) for k in range(first, first + count)],
                        out_dir=out_dir)


def render_peak_mb(folder: Path, view: str = "all") -> tuple[float, float]:
    """Peak resident MB and seconds of ``rtviewer render FOLDER`` (a child process)."""
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "stderr.txt"
        start = time.perf_counter()
        with log.open("wb") as stderr:  # a file, not a pipe nobody reads while waiting
            proc = subprocess.Popen([sys.executable, "-m", "rtviewer", "render", str(folder),
                                     "--view", view, "--out", str(Path(tmp) / "render.png")],
                                    cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                                    stdout=subprocess.DEVNULL, stderr=stderr)
        _pid, status, usage = os.wait4(proc.pid, 0)  # the child's own peak, not ours
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            raise RuntimeError(f"rtviewer render {folder} failed: {log.read_text()}")
    return usage.ru_maxrss / 1024, seconds  # ru_maxrss: KiB on Linux


def _synthetic_scene(slices: int = 150, n_rois: int = 30, dose_mm: float = 2.5,
                     tilt_deg: float = 0.0):
    """A CT, 30 structures and a dose; ``tilt_deg`` turns the contour planes about x
    (a set drawn on a tilted series: every slice view cuts it obliquely)."""
    from rtviewer.core.grid import Grid
    from rtviewer.model.dose import Dose, DoseSummationType, DoseType, DoseUnits
    from rtviewer.model.image import ImageVolume, Rescale
    from rtviewer.model.structure import Contour, ContourType, Roi, StructureSet
    from rtviewer.view.scene import Scene

    ct = Grid.from_dicom_geometry(image_position_mm=(-250, -250, -200),
                                  image_orientation=(1, 0, 0, 0, 1, 0),
                                  pixel_spacing_mm=(0.98, 0.98), slice_step_mm=(0, 0, 3),
                                  shape=(slices, 512, 512))
    rng = np.random.default_rng(1)
    voxels = rng.normal(0, 30, ct.shape).astype(np.float32)
    n = int(round(300 / dose_mm))  # a 300 mm dose cube
    nk = int(round(375 / dose_mm))
    dg = Grid.from_dicom_geometry(image_position_mm=(-150, -150, -200),
                                  image_orientation=(1, 0, 0, 0, 1, 0),
                                  pixel_spacing_mm=(dose_mm, dose_mm),
                                  slice_step_mm=(0, 0, dose_mm), shape=(nk, n, n))
    k, j, i = np.indices(dg.shape, sparse=True)
    r2 = ((i - n / 2) ** 2 + (j - n / 2) ** 2) * dose_mm**2 + ((k - nk / 2) * dose_mm) ** 2
    dose = (60 * np.exp(-r2 / (2 * 60.0**2))).astype(np.float32)
    rois = []
    c, s = np.cos(np.radians(tilt_deg)), np.sin(np.radians(tilt_deg))
    tilt = np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])
    angles = np.linspace(0, 2 * np.pi, 120, endpoint=False)
    for n in range(n_rois):
        cx, cy = rng.uniform(-120, 120, 2)
        radius = rng.uniform(10, 60)
        contours = []
        for z in np.arange(-150, 150, 3.0):
            wobble = radius * (1 + 0.1 * np.sin(5 * angles + z / 20))
            pts = np.column_stack([cx + wobble * np.cos(angles), cy + wobble * np.sin(angles),
                                   np.full(angles.size, z)]) @ tilt.T
            contours.append(Contour(pts, ContourType.CLOSED_PLANAR))
        rois.append(Roi(n + 1, f"ROI {n + 1}", tuple(int(c) for c in rng.integers(50, 255, 3)),
                        "ORGAN", tuple(contours)))
    return Scene(
        image=ImageVolume(paths=(), series_instance_uid="1", modality="CT", grid=ct,
                          voxels=voxels, rescales=(Rescale(1, 0, "HU"),)),
        structures=StructureSet(path=Path("s"), sop_instance_uid="2", label="S",
                                frame_of_reference_uid=None, rois=tuple(rois)),
        dose=Dose(path=Path("d"), sop_instance_uid="3", grid=dg, dose_gy=dose,
                  units=DoseUnits.GY, dose_type=DoseType.PHYSICAL,
                  summation_type=DoseSummationType.PLAN))


def slice_step_redraw(steps: int = 40, tilt_deg: float = 0.0, *,
                      image_only: bool = False) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) ms per slice step (state change -> redraw -> paint), per view.

    CPU time of the GUI thread is reported too: on a shared machine the wall time
    includes waiting for other processes. ``image_only``: the same CT without
    structures or dose, the baseline the overlays' cost is a ratio of.
    """
    import importlib

    qt_widgets = importlib.import_module("PySide6.QtWidgets")  # before pyqtgraph binds
    pg = importlib.import_module("pyqtgraph")
    pg.setConfigOptions(imageAxisOrder="row-major", useOpenGL=False)
    from rtviewer.ui.views.slice_view import SliceView
    from rtviewer.ui.views.view_state import ViewState
    from rtviewer.view.reference_dose import ReferenceDose

    app = qt_widgets.QApplication.instance() or qt_widgets.QApplication([])
    scene = _synthetic_scene(tilt_deg=tilt_deg)
    if image_only:
        scene = type(scene)(image=scene.image)
    state = ViewState()
    state.set_visible_rois(range(1, 31))
    state.set_reference_dose(ReferenceDose(60.0, "bench"))
    results = {}
    for name in ("axial", "sagittal", "coronal"):
        view = SliceView(state, name)
        view.resize(800, 800)
        view.show()
        view.set_scene(scene)
        app.processEvents()
        wall, cpu = [], []
        for _ in range(steps):
            start, start_cpu = time.perf_counter(), time.thread_time()
            view.scroll(1)
            view.graphics.viewport().repaint()
            wall.append((time.perf_counter() - start) * 1000)
            cpu.append((time.thread_time() - start_cpu) * 1000)
        results[name] = (statistics.median(wall), statistics.median(cpu))
        view.close()
    return results


WINDOW_STEP = r"""
import statistics, sys, time
sys.path.insert(0, sys.argv[1])
from PySide6 import QtWidgets
def main():
    app = QtWidgets.QApplication([])
    from rtviewer.app import build_window
    window, controller, open_path = build_window(opening=True)
    controller.viewer.dvh_panel.use_processes = False
    controller.preferred_patient = "RTV-DEMO-THORAX"
    window.resize(1600, 1000)
    window.show()
    open_path(sys.argv[2])
    start = time.time()
    while time.time() - start < 300 and not (
            controller.viewer.scene.plan is not None and controller.viewer.scene.structures
            is not None and not controller._workers and not window.is_scanning()):
        app.processEvents()
        time.sleep(0.02)
    controller.viewer.dvh_panel.wait_all()
    app.processEvents()
    cpu = {}
    for name, view in controller.viewer.views.items():
        times = []
        for k in range(45):  # 5 not counted; then 20 steps one way and 20 back
            start_cpu = time.thread_time()
            view.scroll(1 if k < 25 else -1)
            view.graphics.viewport().repaint()
            times.append((time.thread_time() - start_cpu) * 1000)
        cpu[name] = statistics.median(times[5:])
    print("WINDOW", cpu["axial"], cpu["sagittal"], cpu["coronal"], flush=True)
    controller.shutdown()
    window.close()
if __name__ == "__main__":
    main()
"""


def window_step_redraw() -> list[float]:
    """Median GUI-thread CPU ms of a slice step in the window (1600x1000), demo thorax.

    The window as ``rtviewer --demo`` shows it: CT, 6 beams with their labels, the
    structures, isodoses and the legend; axial, sagittal, coronal. Settings and the
    demo patients are written into a directory of this run.
    """
    with tempfile.TemporaryDirectory(prefix="rtviewer-bench-window-") as tmp:
        subprocess.run([sys.executable, "-m", "rtviewer", "demo", "--out", f"{tmp}/demo"],
                       check=True, capture_output=True, cwd=REPO,
                       env={**os.environ, "PYTHONPATH": str(REPO)})
        script = Path(tmp) / "rtviewer_bench_window.py"
        script.write_text(WINDOW_STEP, encoding="utf-8")
        out = subprocess.run([sys.executable, str(script), str(REPO), f"{tmp}/demo"],
                             capture_output=True, text=True, cwd=REPO, timeout=900,
                             env={**os.environ, "RTVIEWER_CONFIG_DIR": f"{tmp}/config",
                                  "XDG_CONFIG_HOME": f"{tmp}/config"})
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("WINDOW"))
    return [float(v) for v in line.split()[1:]]


LARGE = r"""
import sys, time
sys.path.insert(0, sys.argv[1])
from PySide6 import QtWidgets
import pyqtgraph as pg
pg.setConfigOptions(imageAxisOrder="row-major", useOpenGL=False)
import viewer as bench
from rtviewer.ui.views.viewer import Viewer
app = QtWidgets.QApplication([])
scene = bench._synthetic_scene(slices=300, n_rois=40)
viewer = Viewer(); viewer.resize(1600, 1000); viewer.show()
viewer.set_scene(scene)
start = time.time()
viewer.dvh_panel.wait_all(600000)
while len(viewer.dvh_panel.dvhs) < 40 and time.time() - start < 600:
    app.processEvents(); time.sleep(0.05)
for _ in range(20):
    viewer.views["axial"].scroll(1); app.processEvents()
status = open("/proc/self/status").read()
peak = [l for l in status.splitlines() if l.startswith("VmHWM")][0].split()[1]
print(f"LARGE {int(peak) / 1024:.0f} {len(viewer.dvh_panel.dvhs)} {time.time() - start:.1f}")
viewer.close()
"""


def large_case_peak_mb() -> tuple[float, int, float]:
    """Peak resident MB reviewing a 512x512x300 CT, 40 structures, 2.5 mm dose, all DVHs."""
    out = subprocess.run([sys.executable, "-c", LARGE, str(Path(__file__).parent)],
                         capture_output=True, text=True, cwd=REPO, timeout=900)
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("LARGE"))
    _tag, mb, count, seconds = line.split()
    return float(mb), int(count), float(seconds)


SCROLL_DURING_DVH = r"""
import statistics, sys, time
sys.path.insert(0, sys.argv[1])
from PySide6 import QtWidgets
import pyqtgraph as pg
pg.setConfigOptions(imageAxisOrder="row-major", useOpenGL=False)
import viewer as bench
from rtviewer.ui.panels.dvh_panel import DvhPanel
from rtviewer.ui.views.viewer import Viewer
def main():
    DvhPanel.use_processes = sys.argv[2] == "processes"
    app = QtWidgets.QApplication([])
    scene = bench._synthetic_scene(dose_mm=1.5)  # DVHs long enough to scroll through
    viewer = Viewer(); viewer.resize(1600, 1000); viewer.show(); app.processEvents()
    view = viewer.views["axial"]
    def step(direction):
        start, cpu = time.perf_counter(), time.thread_time()
        view.scroll(direction); app.processEvents(); view.graphics.viewport().repaint()
        return (time.perf_counter() - start) * 1000, (time.thread_time() - cpu) * 1000
    viewer.set_scene(scene); app.processEvents()
    for n in range(6):  # first redraws build the per-ROI caches: not what is measured
        step(1 if n < 3 else -1)
    during, start, rounds = [], time.time(), 1
    panel = viewer.dvh_panel
    computing = lambda: getattr(panel, "computing", None) or len(panel._pending)  # noqa: E731
    while time.time() - start < 300:
        if not computing():  # all in: compute them again, 5 times in all
            if rounds == 5:
                break
            viewer.dvh_panel.set_scene(scene)
            rounds += 1
        during.append(step(1 if len(during) % 80 < 40 else -1))
    seconds = time.time() - start
    after = [step(1 if n % 80 < 40 else -1) for n in range(60)]
    wall, cpu = zip(*during) if during else ((0,), (0,))
    wall_after, cpu_after = zip(*after)
    print("SCROLL", statistics.median(wall), max(wall), len(during), statistics.median(wall_after),
          max(wall_after), seconds, len(viewer.dvh_panel.dvhs), statistics.median(cpu),
          statistics.median(cpu_after))
    viewer.close()
if __name__ == "__main__":  # the DVH worker processes import this script again
    main()
"""


def scroll_during_dvh(mode: str) -> list[float]:
    """Axial slice steps (1600x1000 window, 3 views) while 30 DVHs compute (5 times), and after.

    ``mode`` is ``"processes"`` or ``"thread"``. Returns: median and max wall ms per step
    during, steps during, median and max wall ms after, seconds until all DVHs were in,
    their number, median GUI-thread CPU ms per step during and after.
    """
    with tempfile.TemporaryDirectory(prefix="rtviewer-bench-scroll-") as tmp:  # one per run
        script = Path(tmp) / "rtviewer_bench_scroll.py"  # a file: worker processes import it
        script.write_text(SCROLL_DURING_DVH, encoding="utf-8")
        out = subprocess.run([sys.executable, str(script), str(Path(__file__).parent), mode],
                             capture_output=True, text=True, cwd=REPO, timeout=900)
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("SCROLL"))
    return [float(v) for v in line.split()[1:]]


def first_image_lines(corpus: Path, runs: int = 3, repo: Path = REPO) -> None:
    """Print the three open-to-first-image figures of ``repo``'s rtviewer."""
    folder = corpus / "dicompyler-core"
    seconds, rss, cpu, loader = open_to_first_image(folder, runs, repo)
    print(f"open dicompyler-core to first image: {seconds:.2f} s wall, {cpu:.2f} s CPU + "
          f"{loader:.2f} s CPU of its start-up loader (medians of {runs}, target < 1 s); "
          f"resident memory with DVHs computed: {rss:.0f} MB (target < 500 MB)")
    seconds, _rss, cpu, loader = open_to_first_image(corpus / "matrad-dicomexport", runs, repo)
    print(f"open matrad-dicomexport (100-slice CT + structures) to first image: {seconds:.2f} s "
          f"wall, {cpu:.2f} s CPU + {loader:.2f} s CPU of its start-up loader (medians of "
          f"{runs}, target < 1 s)")
    seconds, _rss, cpu, loader = open_to_first_image(ct150_folder(), runs, repo)
    print(f"open a 512x512x150 CT to first image: {seconds:.2f} s wall, {cpu:.2f} s CPU + "
          f"{loader:.2f} s CPU of its start-up loader (medians of {runs}, target < 1.5 s)")


def first_image_figures(corpus: Path, runs: int, baseline: Path | None) -> None:
    """``--first-image``: the three figures; with ``baseline``, both checkouts in turn.

    Each folder is timed for the baseline, then this checkout, then both again (half the
    runs each time), so that a change of load during the run weighs on both alike.
    """
    if baseline is None:
        first_image_lines(corpus, runs)
        return
    folders = {"dicompyler-core": corpus / "dicompyler-core",
               "matrad-dicomexport": corpus / "matrad-dicomexport",
               "512x512x150 CT": ct150_folder()}
    halves = (runs - runs // 2, runs // 2) if runs > 1 else (1,)
    for name, folder in folders.items():
        cpu: dict[str, list[float]] = {"baseline": [], "this": []}
        wall: dict[str, list[float]] = {"baseline": [], "this": []}
        for half in halves:
            for label, repo in (("baseline", baseline.resolve()), ("this", REPO)):
                for seconds, _rss, seconds_cpu, _loader in first_image_runs(folder, half, repo):
                    wall[label].append(seconds)
                    cpu[label].append(seconds_cpu)
        before, after = statistics.median(cpu["baseline"]), statistics.median(cpu["this"])
        print(f"open {name} to first image, CPU of the window's process (medians of "
              f"{len(cpu['this'])}): {before:.3f} s at {baseline} -> {after:.3f} s here "
              f"({after / before:.2f}x, {1000 * (after - before):+.0f} ms); wall "
              f"{statistics.median(wall['baseline']):.2f} -> "
              f"{statistics.median(wall['this']):.2f} s; load {os.getloadavg()[0]:.1f}")


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path,
                        default=(REPO / ".." / "shared" / "data").resolve(),
                        help="the test corpus (default: ../shared/data beside this checkout)")
    parser.add_argument("--slice-steps", action="store_true",
                        help="only the slice-step figures (800x800, the window, tilted planes)")
    parser.add_argument("--first-image", action="store_true",
                        help="only the open-to-first-image figures")
    parser.add_argument("--baseline", type=Path, metavar="CHECKOUT",
                        help="with --first-image: also time this other checkout of rtviewer, "
                             "in turn with this one, and print the CPU ratios")
    parser.add_argument("--runs", type=int, default=3,
                        help="with --first-image: runs per folder and checkout (medians)")
    args = parser.parse_args()
    corpus = args.corpus
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if args.first_image:
        first_image_figures(corpus, args.runs, args.baseline)
        return
    bare = slice_step_redraw(image_only=True)  # baseline, same run
    for name, (wall, cpu) in slice_step_redraw().items():
        print(f"next-slice redraw, 30 structures + 9 isodose levels, 800x800, {name}: "
              f"{wall:.1f} ms wall, {cpu:.1f} ms CPU (target < 16 ms); the CT alone "
              f"{bare[name][0]:.1f} ms wall, {bare[name][1]:.1f} ms CPU: "
              f"{wall / bare[name][0]:.2f}x wall, {cpu / bare[name][1]:.2f}x CPU")
    axial, sagittal, coronal = window_step_redraw()
    print(f"next-slice redraw in the window (1600x1000, demo thorax: 6 beams with labels, "
          f"structures, isodoses, legend): {axial:.1f} / {sagittal:.1f} / {coronal:.1f} ms "
          "CPU (axial / sagittal / coronal)")
    for name, (wall, cpu) in slice_step_redraw(tilt_deg=30.0).items():
        print(f"next-slice redraw, the same 30 structures on planes tilted 30° about x, {name}: "
              f"{wall:.1f} ms wall, {cpu:.1f} ms CPU")
    if args.slice_steps:
        return
    for mode in ("thread", "processes"):
        med, top, n, med_after, top_after, secs, count, cpu, cpu_after = scroll_during_dvh(mode)
        print(f"axial slice step while 5 x {count:.0f} DVHs compute ({mode}, {secs:.0f} s): wall "
              f"median {med:.0f} ms, max {top:.0f} ms over {n:.0f} steps, GUI CPU {cpu:.0f} ms; "
              f"after: wall median {med_after:.0f} ms, max {top_after:.0f} ms, "
              f"GUI CPU {cpu_after:.0f} ms")
    first_image_lines(corpus)
    slices = 1000
    pixel_mib = slices * 512 * 512 * 2 / 2**20  # 16 bits stored
    peak, seconds = render_peak_mb(ct_folder(slices, Path(f"/tmp/rtviewer-bench-ct{slices}")))
    print(f"rtviewer render of a 512x512x{slices} CT ({pixel_mib:.0f} MiB of pixel data): peak "
          f"resident {peak:.0f} MiB = {peak / pixel_mib:.2f}x its pixel data (target < 2x; "
          f"was 1,669 MiB = 3.3x), {seconds:.1f} s")
    peak, count, dvh_s = large_case_peak_mb()
    print(f"512x512x300 CT + 40 structures + 2.5 mm dose, {count} DVHs in {dvh_s:.0f} s: "
          f"peak resident {peak:.0f} MB (target < 2048 MB)")


if __name__ == "__main__":
    main()
