"""Where runs are computed: a ``concurrent.futures.Executor`` and the loop that feeds it.

Every command that runs the model (``run``, ``compare``, ``calibrate``, ``report`` and
``sweep``) sends its runs in *batches* through :func:`drive` to one of these executors:

:func:`local_executor`
    A pool of worker processes on this machine (forkserver, model preloaded); the workers
    exit by themselves when the coordinating process dies (e.g. killed with SIGKILL).
:func:`dask_executor`
    ``distributed.Client(address).get_executor()`` on a Dask cluster.
:class:`InProcessExecutor`
    Runs each task in this process when it is submitted (one job, no pool to start).

A run is a pure function of its scenario and seed, so what comes out does not depend on
the executor, the number of workers or the order batches finish in.
"""

from __future__ import annotations

import multiprocessing
import os
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures import BrokenExecutor as _Broken
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

__all__ = [
    "BrokenExecutorError",
    "ExecutorError",
    "InProcessExecutor",
    "Outcome",
    "dask_executor",
    "drive",
    "local_executor",
    "open_executor",
]

#: Modules the local workers import before their first task.
PRELOAD = (
    "ddr_sim.runs.engine",
    "ddr_sim.sweeps.coordinator",
    "ddr_sim.core.model",
    "ddr_sim.runs.indicators",
    "ddr_sim.runs.tables",
)


class InProcessExecutor(Executor):
    """An ``Executor`` that runs each task in this process as it is submitted."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as err:  # noqa: BLE001 - handed to the caller through the future
            if isinstance(err, KeyboardInterrupt):
                raise
            future.set_exception(err)
        return future


def _coordinator_gone(pid: int) -> bool:
    """The coordinating process has exited (or is a zombie waiting to be reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except (OSError, IndexError):
        return False


def _watch_coordinator(pid: int, every: float = 1.0) -> None:
    """Worker initializer: exit when the coordinator dies (e.g. killed with SIGKILL).

    Pool workers otherwise wait forever for work from a coordinator that is gone.
    """
    import threading

    def watch() -> None:
        while not _coordinator_gone(pid):
            time.sleep(every)
        os._exit(1)

    threading.Thread(target=watch, name="watch-coordinator", daemon=True).start()


def local_executor(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes on this machine (forkserver, model preloaded).

    The workers exit by themselves if the coordinating process dies.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(PRELOAD))
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_watch_coordinator,
        initargs=(os.getpid(),),
    )


@contextmanager
def dask_executor(address: Any, timeout: float = 60.0) -> Iterator[tuple[Executor, int]]:
    """An ``Executor`` on a Dask cluster and its number of worker threads.

    Parameters
    ----------
    address : str or distributed.LocalCluster
        Scheduler address (``tcp://host:8786``) or a cluster object.
    timeout : float
        Seconds to wait for the scheduler and for at least one worker.

    Yields
    ------
    (Executor, int)
        ``client.get_executor(pure=False)`` and the total threads of the workers.
    """
    from distributed import Client

    client = Client(address, timeout=timeout)
    try:
        client.wait_for_workers(1, timeout=timeout)
        slots = max(1, sum(client.nthreads().values()))
        yield client.get_executor(pure=False), slots
    finally:
        client.close()


class ExecutorError(RuntimeError):
    """The executor asked for cannot be used (Dask missing, scheduler unreachable)."""


@contextmanager
def _connected(scheduler: str) -> Iterator[tuple[Executor, int]]:
    try:
        context = dask_executor(scheduler)
        executor, slots = context.__enter__()
    except ImportError:
        raise ExecutorError("a Dask scheduler needs Dask: pip install 'ddr-sim[dask]'") from None
    except (OSError, TimeoutError, ValueError) as err:
        raise ExecutorError(f"cannot use the Dask scheduler at {scheduler}: {err}") from None
    try:
        yield executor, slots
    finally:
        context.__exit__(None, None, None)


@contextmanager
def open_executor(
    jobs: int | None = None, scheduler: str | None = None
) -> Iterator[tuple[Executor, int, str]]:
    """The executor a command asked for: ``(executor, slots, description)``.

    Parameters
    ----------
    jobs : int, optional
        Local worker processes (default: one per CPU); 1 runs in this process.
    scheduler : str, optional
        A Dask scheduler address; when given, ``jobs`` is ignored.
    """
    if scheduler:
        with _connected(scheduler) as (executor, slots):
            yield executor, slots, f"Dask at {scheduler} ({slots} worker threads)"
        return
    slots = max(1, jobs or os.cpu_count() or 1)
    if slots == 1:
        yield InProcessExecutor(), 1, "this process"
        return
    with local_executor(slots) as executor:
        yield executor, slots, f"{slots} local worker processes"


@dataclass
class Outcome:
    """What came back for one batch: its result, or the error of the task itself."""

    batch: Any
    result: Any = None
    error: BaseException | None = None

    @property
    def failure_text(self) -> str:
        """``task failed: Type: message`` (the task died, not the run)."""
        err = self.error
        return f"task failed: {type(err).__name__}: {err}"[:2000] if err else ""

    @property
    def failure_traceback(self) -> str:
        if self.error is None:
            return ""
        return "".join(traceback.format_exception(self.error))[-20000:]


class BrokenExecutorError(RuntimeError):
    """The executor broke (a worker process died); what finished is kept."""


def drive(
    executor: Executor,
    task: Callable[[Any], Any],
    batches: Iterable[Any],
    window: int,
) -> Iterator[Outcome]:
    """Submit ``task(batch)`` for each batch, at most ``window`` at once; yield as they finish.

    A task that raises yields an :class:`Outcome` with its error; a broken executor
    raises :class:`BrokenExecutorError` after the outcomes that came back. On any exit
    (Ctrl-C included) the batches not started are cancelled.
    """
    pending = iter(batches)
    inflight: dict[Future, Any] = {}
    broken: str | None = None
    try:
        while True:
            while broken is None and len(inflight) < max(1, window):
                batch = next(pending, None)
                if batch is None:
                    break
                inflight[executor.submit(task, batch)] = batch
            if not inflight:
                break
            finished, _ = wait(list(inflight), return_when=FIRST_COMPLETED)
            for future in finished:
                batch = inflight.pop(future)
                try:
                    yield Outcome(batch, result=future.result())
                except _Broken as err:
                    broken = f"{type(err).__name__}: {err}"
                except Exception as err:  # the task itself failed (e.g. its worker was killed)
                    yield Outcome(batch, error=err)
            if broken is not None:
                for future in inflight:
                    future.cancel()
                inflight = {f: b for f, b in inflight.items() if not f.cancelled()}
    finally:
        for future in inflight:
            future.cancel()
    if broken is not None:
        raise BrokenExecutorError(broken)
