"""Resource requests checked against the machine before anything starts.

A command asks for worker processes, seeds or a number of runs; each check compares the
request with what this machine has (CPUs, memory available now) and a sane upper limit,
and refuses with a :class:`~ddr_sim.cli.errors.CommandError` that says the limit and why.
"""

from __future__ import annotations

import os
from pathlib import Path

from ddr_sim.cli.errors import CommandError

GIB = 1024**3
MIB = 1024**2

#: Memory of one worker process: Python with numpy, pandas and Mesa loaded, and one model.
WORKER_BYTES = 300 * MIB

#: More worker processes than this per CPU only slow every run down.
JOBS_PER_CPU = 4

#: Memory of one seed's tables kept until the end of a run, per (month x group x region),
#: measured on the shipped scenarios: 80 bytes (Mali) to 140 bytes (teaching), and
#: combining the seeds copies the tables once.
SEED_BYTES_PER_CELL = 256

#: Memory of one run's summary row (about 150 indicators) while a study collects them.
SUMMARY_ROW_BYTES = 16 * 1024

#: Share of the available memory a command may plan to fill.
MEMORY_SHARE = 0.5

#: Runs of one sweep at most.
MAX_SWEEP_RUNS = 10_000_000

#: Memory of one run in a sweep's design and run index, built before the first run.
SWEEP_RUN_BYTES = 512


def cpu_count() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def available_memory() -> int | None:
    """Bytes of memory available now (``MemAvailable``), None when unknown."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def size_text(n_bytes: float) -> str:
    """``n_bytes`` as MiB or GiB."""
    if n_bytes >= GIB:
        return f"{n_bytes / GIB:,.1f} GiB"
    return f"{n_bytes / MIB:,.0f} MiB"


def check_jobs(jobs: int | None, flag: str = "--jobs", tasks: int | None = None) -> int:
    """The number of worker processes to start for ``jobs`` (None: one per CPU), at most
    ``tasks``; refuses more than :data:`JOBS_PER_CPU` per CPU or more than memory holds."""
    cpus = cpu_count()
    if jobs is None:
        jobs = cpus
    if jobs > JOBS_PER_CPU * cpus:
        raise CommandError(
            f"{flag} {jobs:,}: at most {JOBS_PER_CPU * cpus} on this machine "
            f"({cpus} CPUs; more than {JOBS_PER_CPU} processes per CPU only slow each run down)"
        )
    if tasks is not None:
        jobs = max(1, min(jobs, tasks))
    memory = available_memory()
    if memory is not None and jobs > 1 and jobs * WORKER_BYTES > memory:
        most = max(1, int(memory // WORKER_BYTES))
        raise CommandError(
            f"{flag} {jobs:,}: each worker process needs about {size_text(WORKER_BYTES)} and "
            f"{size_text(memory)} is available now; use {flag} {most} or fewer",
            status=1,
        )
    return jobs


def seed_bytes(scenario) -> int:
    """Memory the tables of one seed of ``scenario`` take until the run ends (estimate)."""
    cells = scenario.calendar.months * (len(scenario.groups) + 1) * max(1, len(scenario.regions))
    return cells * SEED_BYTES_PER_CELL


def check_memory(need: int, what: str, advice: str) -> None:
    """Refuse ``what`` when it ``need``-s more than :data:`MEMORY_SHARE` of the memory
    available now; ``advice`` ends the message (what to do instead)."""
    memory = available_memory()
    if memory is None or need <= MEMORY_SHARE * memory:
        return
    raise CommandError(
        f"{what} would need about {size_text(need)} of memory and {size_text(memory)} is "
        f"available now; {advice}",
        status=1,
    )


def check_seeds(seeds: int, bytes_per_seed: int, flag: str = "--seeds") -> None:
    """Refuse ``seeds`` seeds whose results, ``bytes_per_seed`` each, would not fit in
    :data:`MEMORY_SHARE` of the memory available now."""
    memory = available_memory() or 0
    most = max(1, int(MEMORY_SHARE * memory // bytes_per_seed))
    check_memory(
        seeds * bytes_per_seed,
        f"{flag} {seeds:,}: the results",
        f"use {flag} {most:,} or fewer, or a sweep ('ddr-sim sweep'), which stores runs on "
        "disk as they finish",
    )


def check_runs(runs: int, what: str) -> None:
    """Refuse a sweep of more than :data:`MAX_SWEEP_RUNS` runs, or whose design and run
    index would not fit in memory (``what`` says how many points and replications)."""
    advice = "use fewer levels, samples or replications"
    if runs > MAX_SWEEP_RUNS:
        raise CommandError(
            f"{what} = {runs:,} runs: at most {MAX_SWEEP_RUNS:,} in one sweep (at a second a "
            f"run it would take {runs / 86400 / 365:,.1f} CPU-years); {advice}"
        )
    check_memory(runs * SWEEP_RUN_BYTES, f"{what} = {runs:,} runs: the design", advice)
