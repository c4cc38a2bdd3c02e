"""DVH speed benchmark: 30 ROIs on a realistic case, from files to the statistics CSV.

Usage: ``.venv/bin/python benchmarks/dvh.py [--work DIR] [--repeats 5]``

Times, in the same run and on the same files (written by ``benchmarks/dvh_case.py``):

* rtviewer: read RTSTRUCT + RTDOSE, 30 DVHs, statistics CSV (``rtviewer.cli.dvh``
  functions, as ``rtviewer dvh`` runs them: "read" is the structure set up to its ROIs
  and the dose; each ROI's contours are decoded with its DVH, in "DVHs"; the solids and
  decoded values cached by the reader and the engine are forgotten before every run), median
  of ``--repeats`` runs in a worker process that has already imported its modules;
  peak memory of one run (tracemalloc peak, and ru_maxrss of the worker process);
* plastimatch (``convert --xor-contours`` on the CT grid, then ``dvh``), when installed;
* dicompyler-core ``get_dvh`` for every ROI plus its statistics, in its own virtual
  environment (``/tmp/dcvenv``, pydicom < 3), when present;
* isodose lines for 9 levels on a 512×512 CT plane, and a sagittal dose plane resampled
  at CT resolution (median of 20);
* a fixed numpy baseline (sort of 2M floats), to put the numbers in proportion to this
  machine's speed and load at the time of the run;
* the CPU time (user + system) of rtviewer's runs and of every peer's processes: on a
  machine shared with other work the wall-clock ratio moves with the load, the CPU
  ratio much less.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DICOMPYLER_PYTHON = Path("/tmp/dcvenv/bin/python")

OURS_WORKER = r"""
import json, os, resource, sys, time, tracemalloc
from pathlib import Path
from rtviewer.cli.dvh import load_head_pair
from rtviewer.cli.dvh_per_roi import roi_outcomes, rows_of, source_of
from rtviewer.cli.dvh_table import statistics_csv
from rtviewer.core.structure_model import forget_solids
from rtviewer.dicom.contour_values import forget_values
rs, rd, out, repeats = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
def rows_of_files(structures, dose):  # each ROI decoded, modelled and computed in one unit
    return rows_of(roi_outcomes(source_of(structures), dose.dose_gy, dose.grid))
def once():
    forget_solids(); forget_values()  # every run starts from the files, as one CLI run does
    structures, dose = load_head_pair(rs, rd)
    rows = rows_of_files(structures, dose)
    out.write_text(statistics_csv(rows), encoding="utf-8")
    return rows
def cpu_s():  # this process and its children: compute_rows shares the DVHs with a fork
    t = os.times(); return t.user + t.system + t.children_user + t.children_system
once()  # warm caches of the OS and of numpy
times, parts, cpu = [], [], []
for _ in range(repeats):
    forget_solids(); forget_values()
    c0 = cpu_s()
    t0 = time.perf_counter(); structures, dose = load_head_pair(rs, rd); t1 = time.perf_counter()
    rows = rows_of_files(structures, dose); t2 = time.perf_counter()
    out.write_text(statistics_csv(rows), encoding="utf-8"); t3 = time.perf_counter()
    cpu.append(cpu_s() - c0)
    times.append(t3 - t0); parts.append((t1 - t0, t2 - t1, t3 - t2))
tracemalloc.start(); once(); peak = tracemalloc.get_traced_memory()[1]; tracemalloc.stop()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"times": times, "parts": parts, "cpu": cpu, "tracemalloc_peak": peak,
                  "maxrss": rss, "rois": len(rows)}))
"""

DICOMPYLER_WORKER = r"""
import json, sys, time
from dicompylercore import dicomparser, dvhcalc
rs, rd, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])
times, cpu = [], []
for _ in range(repeats):
    t0 = time.perf_counter(); c0 = time.process_time()
    rtss = dicomparser.DicomParser(rs)
    stats = {}
    for number, roi in rtss.GetStructures().items():
        dvh = dvhcalc.get_dvh(rs, rd, number)
        if dvh.volume > 0:
            stats[roi["name"]] = [dvh.volume, dvh.min, dvh.mean, dvh.max,
                                  dvh.statistic("D95").value, dvh.statistic("D99").value]
    times.append(time.perf_counter() - t0); cpu.append(time.process_time() - c0)
print(json.dumps({"times": times, "cpu": cpu, "stats": stats}))
"""


def baseline_seconds() -> float:
    import numpy as np

    values = np.random.default_rng(0).random(2_000_000)
    runs = []
    for _ in range(5):
        t0 = time.perf_counter()
        np.sort(values)
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


#: Peak resident memory (bytes) of every process the benchmark started, by name.
PEAK_RSS: dict[str, int] = {}
#: CPU seconds (user + system) of the last process :func:`_run` waited for: on a machine
#: shared with other work the wall-clock ratio moves with the load, the CPU ratio much less.
LAST_CPU: list[float] = [0.0]


def _run(name: str, command: list[str], cwd: Path | None = None) -> tuple[int, str, str]:
    """Run ``command``; its exit status, stdout, stderr; its own peak RSS into PEAK_RSS.

    ``os.wait4`` gives the resource usage of that one child (``RUSAGE_CHILDREN`` would
    mix every child the benchmark waited for).
    """
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, text=True, cwd=cwd)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        PEAK_RSS[name] = max(PEAK_RSS.get(name, 0), usage.ru_maxrss * 1024)
        LAST_CPU[0] = usage.ru_utime + usage.ru_stime
        return process.returncode, out.read(), err.read()


def run_ours(paths: dict[str, Path], work: Path, repeats: int) -> dict:
    status, out, err = _run("rtviewer benchmark worker (all runs, tracemalloc)",
                            [sys.executable, "-c", OURS_WORKER, str(paths["rs"]),
                             str(paths["rd"]), str(work / "ours.csv"), str(repeats)],
                            cwd=HERE.parent)
    if status != 0:
        raise RuntimeError(f"rtviewer worker failed: {err[-800:]}")
    return json.loads(out.strip().splitlines()[-1])


def run_cli(paths: dict[str, Path], work: Path) -> float:
    """``rtviewer dvh`` as a user runs it: one process, files to CSV (seconds)."""
    t0 = time.perf_counter()
    status, _, err = _run("rtviewer dvh (CLI, one run)",
                          [sys.executable, "-m", "rtviewer", "dvh", "--structures",
                           str(paths["rs"]), "--dose", str(paths["rd"]), "--csv",
                           str(work / "cli.csv")], cwd=HERE.parent)
    if status != 0:
        raise RuntimeError(f"rtviewer dvh failed: {err[-800:]}")
    CLI_CPU[0] = LAST_CPU[0]
    return time.perf_counter() - t0


#: CPU seconds of the one CLI run.
CLI_CPU: list[float] = [0.0]


#: CPU seconds of each plastimatch run (convert + dvh), filled by :func:`run_plastimatch`.
PLASTIMATCH_CPU: list[float] = []


def run_plastimatch(paths: dict[str, Path], work: Path, repeats: int) -> list[float] | None:
    import shutil

    if shutil.which("plastimatch") is None:
        return None
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        cpu = 0.0
        for name, command in (
                ("plastimatch convert", ["plastimatch", "convert", "--input", str(paths["rs"]),
                                         "--referenced-ct", str(paths["ct"]), "--xor-contours",
                                         "--output-ss-img", str(work / "ss.nrrd"),
                                         "--output-ss-list", str(work / "ss.txt")]),
                ("plastimatch dvh", ["plastimatch", "dvh", "--input-ss-img",
                                     str(work / "ss.nrrd"), "--input-ss-list",
                                     str(work / "ss.txt"), "--input-dose", str(paths["rd"]),
                                     "--output-csv", str(work / "plastimatch.csv"),
                                     "--bin-width", "0.01"])):
            status, _, err = _run(name, command)
            if status != 0:
                raise RuntimeError(f"{name} failed: {err[-800:]}")
            cpu += LAST_CPU[0]
        times.append(time.perf_counter() - t0)
        PLASTIMATCH_CPU.append(cpu)
    return times


def run_dicompyler(paths: dict[str, Path], repeats: int) -> dict | None:
    if not DICOMPYLER_PYTHON.exists():
        return None
    status, out, err = _run("dicompyler-core worker",
                            [str(DICOMPYLER_PYTHON), "-c", DICOMPYLER_WORKER, str(paths["rs"]),
                             str(paths["rd"]), str(repeats)])
    if status != 0:
        print("dicompyler-core failed:", err[-500:])
        return None
    return json.loads(out.strip().splitlines()[-1])


def _median_ms(fn, repeats: int = 20) -> float:
    fn()
    runs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return 1000 * statistics.median(runs)


def plane_timings(paths: dict[str, Path]) -> dict[str, float]:
    import numpy as np
    from dvh_case import CT_PIXEL_MM, PTV_CENTRE, SLICE_MM, Z0

    from rtviewer.core.isodose import isodose_lines, levels_from_percent
    from rtviewer.core.planes import Plane, reslice
    from rtviewer.dicom.dose import read_dose

    dose = read_dose(paths["rd"])
    corner = -250.0 + CT_PIXEL_MM / 2
    axial = Plane(origin_mm=np.array([corner, corner, PTV_CENTRE[2]]), u=np.array([1.0, 0, 0]),
                  v=np.array([0, 1.0, 0]), spacing_mm=(CT_PIXEL_MM, CT_PIXEL_MM),
                  shape=(512, 512))
    sagittal = Plane(origin_mm=np.array([PTV_CENTRE[0], corner, Z0 + 149 * SLICE_MM]),
                     u=np.array([0, 1.0, 0]), v=np.array([0, 0, -1.0]),
                     spacing_mm=(CT_PIXEL_MM, SLICE_MM), shape=(150, 512))
    plane_dose = reslice(dose.dose_gy, dose.grid, axial, outside=np.nan)
    levels = levels_from_percent([10, 20, 30, 50, 70, 80, 90, 95, 107], reference_gy=60.0)
    return {
        "isodose_9_levels_512x512_ms": _median_ms(lambda: isodose_lines(plane_dose, axial,
                                                                        levels)),
        "axial_dose_plane_512x512_ms": _median_ms(
            lambda: reslice(dose.dose_gy, dose.grid, axial, outside=np.nan)),
        "sagittal_dose_plane_512x150_ms": _median_ms(
            lambda: reslice(dose.dose_gy, dose.grid, sagittal, outside=np.nan)),
    }


def compare_small_targets(work: Path, dicompyler: dict | None) -> None:
    """Volume, D95 and D99 of the targets: rtviewer's CSV beside dicompyler-core's."""
    import csv

    if not dicompyler:
        return
    with open(work / "ours.csv", newline="", encoding="utf-8") as f:
        ours = {r["roi_name"]: r for r in csv.DictReader(f)}
    heads = ("rtviewer cc / D95 / D99 Gy", "dicompyler-core cc / D95 / D99")
    print(f"{'ROI':10s} {heads[0]:>30s}  {heads[1]:>32s}")
    for name in ("PTV", "GTV", "PTV_Boost", *(f"Met_{i}" for i in range(1, 7))):
        r, d = ours.get(name), dicompyler["stats"].get(name)
        if r is None or d is None:
            continue
        mine = f"{float(r['volume_cc']):8.3f} {float(r['d95_gy']):7.2f} {float(r['d99_gy']):7.2f}"
        theirs = f"{d[0]:8.3f} {d[4]:7.2f} {d[5]:7.2f}"
        print(f"{name:10s} {mine:>30s}  {theirs:>32s}")


def report(ours, plastimatch, dicompyler, planes, baseline, cli_seconds=None) -> None:
    median = statistics.median(ours["times"])
    parts = [statistics.median(p[i] for p in ours["parts"]) for i in range(3)]
    print(f"baseline (numpy sort of 2M floats): {1000 * baseline:.1f} ms")
    print(f"rtviewer: {ours['rois']} ROIs from files to CSV, median of {len(ours['times'])}: "
          f"{median:.3f} s  (read {parts[0]:.3f} s, contours + DVHs {parts[1]:.3f} s, "
          f"CSV {parts[2]:.4f} s)"
          f"  = {median / baseline:.0f} x baseline")
    print(f"rtviewer peak memory: tracemalloc {ours['tracemalloc_peak'] / 2**20:.0f} MiB, "
          f"process ru_maxrss {ours['maxrss'] / 2**20:.0f} MiB")
    if cli_seconds is not None:
        print(f"rtviewer dvh CLI, one run with Python start-up and imports: {cli_seconds:.3f} s"
              f" (CPU {CLI_CPU[0]:.3f} s)")
    for name, rss in PEAK_RSS.items():
        print(f"peak RSS {name}: {rss / 2**20:.0f} MiB")
    cpu = statistics.median(ours["cpu"])
    print(f"rtviewer CPU time (user + system), median: {cpu:.3f} s")
    for name, times, cpus in (("plastimatch", plastimatch, PLASTIMATCH_CPU),
                              ("dicompyler-core", dicompyler and dicompyler["times"],
                               dicompyler and dicompyler["cpu"])):
        if not times:
            print(f"{name}: not available")
            continue
        peer = statistics.median(times)
        peer_cpu = statistics.median(cpus)
        print(f"{name}: median of {len(times)}: {peer:.3f} s  -> rtviewer is "
              f"{peer / median:.1f} x faster; CPU {peer_cpu:.3f} s -> "
              f"{peer_cpu / cpu:.1f} x less CPU")
    for key, value in planes.items():
        print(f"{key}: {value:.2f} ms  (= {value / (1000 * baseline):.2f} x baseline)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "rtviewer-dvh")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--peer-repeats", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))  # dvh_case's constants for the small-target table
    paths = {"ct": args.work / "CT", "rs": args.work / "RS.dcm", "rd": args.work / "RD.dcm"}
    if not all(p.exists() for p in paths.values()):
        print(f"writing the case to {args.work} ...")
        # in a child: Linux keeps a forked child's peak RSS across exec, so a parent
        # grown to ~1 GB by writing the CT would be every peer's reported peak
        subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; "
                        f"sys.path.insert(0, {str(HERE)!r}); from dvh_case import write_case; "
                        "write_case(Path(sys.argv[1]))", str(args.work)], check=True)
    baseline = baseline_seconds()
    ours = run_ours(paths, args.work, args.repeats)
    cli_seconds = run_cli(paths, args.work)
    plastimatch = run_plastimatch(paths, args.work, args.peer_repeats)
    dicompyler = run_dicompyler(paths, args.peer_repeats)
    planes = plane_timings(paths)
    report(ours, plastimatch, dicompyler, planes, baseline, cli_seconds)
    compare_small_targets(args.work, dicompyler)


if __name__ == "__main__":
    main()
