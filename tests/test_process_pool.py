"""ProcessPool: results by return value; a dead worker breaks the pool, never the exit."""

from __future__ import annotations

import contextlib
import math
import operator
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from exit_checks import kill_marked, left_behind, marked_env, needs_proc

from rtviewer.process_pool import PoolBroken, ProcessPool

#: Only detects a hang; no test asserts how long anything takes.
HANG_S = 180


@pytest.fixture
def pool():
    made = ProcessPool(2, name="test")
    yield made
    made.close()


def test_results_and_exceptions_travel_back(pool):
    futures = [pool.submit(operator.mul, n, 7) for n in range(10)]
    assert [f.result(HANG_S) for f in futures] == [n * 7 for n in range(10)]
    with pytest.raises(ValueError, match="not defined for negative"):
        pool.submit(math.factorial, -1).result(HANG_S)
    assert pool.submit(operator.add, 1, 2).result(HANG_S) == 3  # still working
    workers = {pool.submit(os.getpid).result(HANG_S) for _ in range(6)}
    assert os.getpid() not in workers


def test_a_dead_worker_breaks_the_pool_and_fails_every_queued_job(pool):
    dying = pool.submit(os._exit, 3)
    queued = [pool.submit(operator.mul, n, 2) for n in range(20)]
    with pytest.raises(PoolBroken, match="exited with status 3"):
        dying.result(HANG_S)
    for future in queued:  # none hangs: each either ran before the death or failed
        with contextlib.suppress(PoolBroken):
            future.result(HANG_S)
    with pytest.raises(PoolBroken, match="status 3"):
        pool.submit(operator.mul, 1, 2)
    assert "status 3" in pool.stopped


def test_an_initializer_that_raises_breaks_the_pool():
    pool = ProcessPool(1, initializer=math.factorial, initargs=(-1,))
    try:
        with pytest.raises(PoolBroken, match="initializer failed.*negative"):
            pool.submit(operator.mul, 1, 2).result(HANG_S)
    finally:
        pool.close()


def test_close_kills_a_busy_worker_and_cancels_the_queue():
    pool = ProcessPool(1)
    pid = pool.submit(os.getpid).result(HANG_S)
    busy = pool.submit(time.sleep, 3600)
    queued = pool.submit(operator.mul, 1, 2)
    while not busy.running():
        time.sleep(0.01)
    pool.close()
    with pytest.raises(PoolBroken, match="closed"):
        busy.result(0)
    assert queued.cancelled()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # killed and reaped
    with pytest.raises(PoolBroken, match="closed"):
        pool.submit(operator.mul, 1, 2)


def _run_script(script: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(script)], env=env,
                          capture_output=True, text=True, timeout=HANG_S)


@needs_proc
def test_a_worker_dying_while_a_big_call_is_written_does_not_hang_the_exit():
    # CPython gh-94777: ProcessPoolExecutor deadlocks at exit when a worker dies
    # while the call queue is being written (Python 3.11.2, Debian 12)
    env, mark = marked_env()
    script = """
        import os
        from rtviewer.process_pool import PoolBroken, ProcessPool
        pool = ProcessPool(2, initializer=os._exit, initargs=(1,))
        futures = [pool.submit(len, bytes(4 << 20)) for _ in range(4)]
        broken = 0
        for f in futures:
            try:
                f.result()
            except PoolBroken as exc:
                broken += 1
        print("broken", broken)
    """
    try:
        done = _run_script(script, env)
        assert done.returncode == 0, done.stderr
        assert done.stdout.split() == ["broken", "4"]
        assert left_behind(mark) == []
    finally:
        kill_marked(mark)


@needs_proc
def test_workers_exit_when_their_parent_is_killed():
    env, mark = marked_env()
    script = """
        import os, sys, time
        from rtviewer.process_pool import ProcessPool
        pool = ProcessPool(2)
        print(pool.submit(os.getpid).result(), flush=True)
        time.sleep(3600)
    """
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(script)], env=env,
                            stdout=subprocess.PIPE, text=True)
    try:
        worker = int(proc.stdout.readline())
        assert worker != proc.pid
        proc.send_signal(signal.SIGKILL)  # no handler, no atexit: only the pipes tell
        proc.wait(HANG_S)
        assert left_behind(mark) == []
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()
        kill_marked(mark)
