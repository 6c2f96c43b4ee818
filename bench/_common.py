"""Helpers shared by the bench scripts (files named ``_*.py`` are not run by ``make bench``).

Every bench script:

* prints one JSON document on stdout and writes it to ``$BENCH_RESULTS_DIR/<name>.json``
  (``make bench`` sets the variable; the default is ``bench/results`` in the repository);
* prints one progress line per phase on stderr;
* accepts ``--quick`` (small counts, for smoke tests) and ``--db sqlite|postgresql|both``;
* never fails on a missed goal: goals are reported as booleans in the JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import math
import os
import platform
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

#: The repository root (bench/..). Put on sys.path so ``motcua`` and ``tests.support``
#: import when a script is run as ``python bench/<name>.py``.
REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import sqlalchemy as sa  # noqa: E402

from motcua.store import create_database_engine  # noqa: E402
from motcua.store.database import write_transaction  # noqa: E402

DEFAULT_RESULTS_DIR = REPO_ROOT / "bench" / "results"
DATABASES = ("sqlite", "postgresql")

_started = time.perf_counter()


# --- command line and output -------------------------------------------------------------


def argument_parser(description: str) -> argparse.ArgumentParser:
    """A parser with the flags every bench script takes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true",
                        help="small counts: a smoke test, not a measurement")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both",
                        help="which database(s) to measure (default: both)")
    return parser


def selected_databases(choice: str) -> tuple[str, ...]:
    return DATABASES if choice == "both" else (choice,)


def progress(message: str) -> None:
    """One line on stderr, with the seconds since the script started."""
    print(f"[{time.perf_counter() - _started:6.1f}s] {message}", file=sys.stderr, flush=True)


def results_dir() -> Path:
    value = os.environ.get("BENCH_RESULTS_DIR")
    return Path(value) if value else DEFAULT_RESULTS_DIR


def write_results(name: str, document: dict[str, Any]) -> Path:
    """Print ``document`` as JSON on stdout and write it to ``<results dir>/<name>.json``."""
    text = json.dumps(document, indent=2, sort_keys=False, default=str)
    directory = results_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.json"
    path.write_text(text + "\n", encoding="utf-8")
    sys.stdout.write(text + "\n")
    sys.stdout.flush()
    progress(f"results written to {path}")
    return path


def publish_document(name: str, settings: dict[str, Any], results: dict[str, Any],
                     goals: dict[str, dict[str, Any]], started: float) -> int:
    """Write one bench's JSON (machine, settings, results, goals, duration) and print its
    goal lines; ``started`` is the script's ``time.perf_counter()`` at start. Returns 0."""
    document = {"bench": name, "started_at": utc_now_iso(), "machine": machine_info(),
                "settings": settings, "results": results, "goals": goals}
    document["machine"]["load_average_at_end"] = load_average()
    document["duration_s"] = round(time.perf_counter() - started, 1)
    write_results(name, document)
    print_goals(name, goals)
    return 0


def run_single_database(name: str, description: str, settings_by_mode: dict[str, dict],
                        measure) -> int:
    """``main`` of a SQLite-only bench: parse the common flags, ``measure(settings)`` (a
    dict with its ``goals``), publish the document."""
    args = argument_parser(description).parse_args()
    started = time.perf_counter()
    settings = settings_by_mode["quick" if args.quick else "full"]
    results = measure(settings)
    return publish_document(name, {"quick": args.quick, "database": "sqlite", **settings},
                            results, results.pop("goals"), started)


def utc_now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


# --- statistics ----------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (0..100) with linear interpolation between closest ranks."""
    if not values:
        return math.nan
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * p / 100.0
    low = math.floor(rank)
    high = math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def latency_summary(seconds: Sequence[float]) -> dict[str, float | int]:
    """p50/p90/p99/max/mean of latencies given in seconds, reported in milliseconds."""
    def ms(value: float) -> float:
        return round(value * 1000.0, 3)

    return {
        "n": len(seconds),
        "p50_ms": ms(percentile(seconds, 50)),
        "p90_ms": ms(percentile(seconds, 90)),
        "p99_ms": ms(percentile(seconds, 99)),
        "max_ms": ms(max(seconds)) if seconds else math.nan,
        "mean_ms": ms(sum(seconds) / len(seconds)) if seconds else math.nan,
    }


def quarters(values: Sequence[Any]) -> list[list[Any]]:
    """``values`` sorted and cut into four quarters (``q*n/4 .. (q+1)*n/4``); none when
    there are fewer than four."""
    ordered = sorted(values)
    n = len(ordered)
    return [ordered[q * n // 4:(q + 1) * n // 4] for q in range(4)] if n >= 4 else []


def rates_by_quarter(ends: Sequence[float], started: float) -> list[float]:
    """Commands per second in each quarter of the commands, taken in completion order:
    quarter q holds the completions ``q*n/4 .. (q+1)*n/4`` and lasts from the previous
    quarter's last completion (or ``started``) to its own last one."""
    rates, previous = [], started
    for chunk in quarters(ends):
        span = chunk[-1] - previous
        rates.append(round(len(chunk) / span, 1) if span > 0 else math.nan)
        previous = chunk[-1]
    return rates


def cpu_by_quarter(completions: Sequence[tuple[float, float]], started_cpu_s: float
                   ) -> list[float]:
    """The process's CPU time per command (µs) in each quarter of ``rates_by_quarter``:
    ``completions`` are ``(end, process CPU seconds at the end)`` pairs, one per command.
    Unlike the rate it does not move with the machine's idle or stolen time, so a quarter
    that is slower *and* costs more CPU per command did more work per command."""
    figures, previous = [], started_cpu_s
    for chunk in quarters(completions):
        cpu = max(cpu for _, cpu in chunk)  # threads read the clock in any order
        figures.append(round((cpu - previous) * 1e6 / len(chunk), 1))
        previous = cpu
    return figures


# --- goals -----------------------------------------------------------------------------------


def goal(figure: float | None, relation: str, target: float) -> dict[str, Any]:
    """``{"figure", "goal", "pass"}``: the measured figure next to its goal (``>=`` or ``<=``
    ``target``); a missing figure fails."""
    if figure is None or (isinstance(figure, float) and math.isnan(figure)):
        passed = False
    elif relation == ">=":
        passed = figure >= target
    elif relation == "<=":
        passed = figure <= target
    else:
        raise ValueError(f"unknown relation {relation!r}")
    return {"figure": figure, "goal": f"{relation} {target:g}", "pass": passed}


def print_goals(bench: str, goals: dict[str, dict[str, Any]]) -> None:
    """One line per goal on stderr: figure, goal, PASS/FAIL."""
    for name, entry in goals.items():
        verdict = "PASS" if entry["pass"] else "FAIL"
        print(f"{bench}: {name:<52} {str(entry['figure']):>10}  goal {entry['goal']:<10} "
              f"{verdict}", file=sys.stderr, flush=True)


# --- machine ---------------------------------------------------------------------------------


def filesystem_type(path: str | Path) -> str | None:
    """The type of the filesystem holding ``path`` (Linux, from /proc/mounts), else None.

    Matters for SQLite: on tmpfs an fsync costs nothing and the floor is meaningless.
    """
    try:
        target = os.path.realpath(path)
        best, best_type = "", None
        with open("/proc/mounts", encoding="utf-8") as mounts:
            for line in mounts:
                parts = line.split()
                if len(parts) < 3:
                    continue
                mount_point = parts[1].replace("\\040", " ")
                inside = target == mount_point or target.startswith(mount_point.rstrip("/") + "/")
                if inside and len(mount_point) >= len(best):
                    best, best_type = mount_point, parts[2]
        return best_type
    except OSError:
        return None


def load_average() -> list[float] | None:
    """1, 5 and 15 minute load averages: other work on the machine skews every figure."""
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def machine_info() -> dict[str, Any]:
    return {
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "sqlite": sqlite3.sqlite_version,
        "sqlalchemy": sa.__version__,
        "temp_dir_filesystem": filesystem_type(tempfile.gettempdir()),
        "postgresql": None,  # filled in by the scripts that start a cluster
        "load_average_at_start": load_average(),
    }


# --- databases -------------------------------------------------------------------------------


@contextlib.contextmanager
def sqlite_database(name: str = "bench.sqlite3") -> Iterator[str]:
    """URL of a fresh SQLite file in a temporary directory, deleted afterwards."""
    with tempfile.TemporaryDirectory(prefix="motcua-bench-") as directory:
        yield f"sqlite:///{Path(directory) / name}"


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server programs on this machine (or the cluster did not start)."""


@contextlib.contextmanager
def postgres_cluster() -> Iterator[Any]:
    """A private, durable (fsync on) PostgreSQL cluster, stopped and deleted afterwards.

    Raises PostgresUnavailable when the server programs are missing or it fails to start.
    """
    from tests.support.postgres import PostgresCluster, PostgresNotFound

    try:
        cluster = PostgresCluster()
    except PostgresNotFound as error:
        raise PostgresUnavailable(str(error)) from None
    try:
        cluster.start()
    except RuntimeError as error:
        raise PostgresUnavailable(f"cluster did not start: {error}") from None
    try:
        yield cluster
    finally:
        cluster.stop()


def postgres_server_info(url: str) -> dict[str, Any]:
    """Server version and the durability settings in force."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            def show(name: str) -> str:
                return conn.exec_driver_sql(f"SHOW {name}").scalar_one()

            return {
                "version": show("server_version"),
                "fsync": show("fsync"),
                "synchronous_commit": show("synchronous_commit"),
                "wal_sync_method": show("wal_sync_method"),
            }
    finally:
        engine.dispose()


# --- the durable-commit floor ------------------------------------------------------------------


def pace(origin: float, index: int, interval_s: float) -> None:
    """Sleep until sample ``index`` of a series started at ``origin`` (perf_counter) is due,
    one every ``interval_s`` seconds; no wait with an interval of 0 (back to back).

    A floor compared with a paced measurement is sampled at the same pace. On the 2-core VM
    the benches run on, code that has just woken from a few milliseconds of idle runs
    several times slower than the same code run back to back (caches and the virtual CPU
    gone cold): a QoS 1 echo took 0.33 ms at p50 back to back and 0.97 ms one every 10 ms,
    and a paho ``publish()`` call 42 µs and 275 µs. A floor taken back to back would
    charge that idle penalty to the hub."""
    if interval_s > 0:
        delay = origin + index * interval_s - time.perf_counter()
        if delay > 0:
            time.sleep(delay)


def commit_floor_samples(url: str, commits: int, warmup: int = 10,
                         interval_s: float = 0.0) -> list[float]:
    """Seconds taken by each of ``commits`` durable one-row insert transactions, in a row,
    or one every ``interval_s`` seconds (see :func:`pace`).

    Uses :func:`motcua.store.create_database_engine` and the store's
    :func:`~motcua.store.database.write_transaction`, so SQLite runs with WAL,
    ``synchronous=FULL`` and ``BEGIN IMMEDIATE`` exactly like the store's commits, and
    PostgreSQL with the same pool settings. This is the least any durable write costs.
    The table is created first and dropped afterwards.
    """
    engine = create_database_engine(url)
    metadata = sa.MetaData()
    table = sa.Table(
        "bench_floor", metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("payload", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    try:
        metadata.create_all(engine)
        insert = table.insert()
        latencies: list[float] = []
        origin = time.perf_counter()
        for i in range(warmup + commits):
            pace(origin, i, interval_s)
            row = {"payload": f"row-{i}", "created_at": dt.datetime.now(dt.timezone.utc)}
            begin = time.perf_counter()
            with write_transaction(engine) as conn:
                conn.execute(insert, row)
            if i >= warmup:
                latencies.append(time.perf_counter() - begin)
        metadata.drop_all(engine)
    finally:
        engine.dispose()
    return latencies


def floor_summary(latencies: Sequence[float]) -> dict[str, Any]:
    """Latency figures of sequential commits, plus the commits per second they allow."""
    total = sum(latencies)
    return {
        "commits": len(latencies),
        "commits_per_s": round(len(latencies) / total, 1) if total > 0 else math.nan,
        **latency_summary(latencies),
    }


def pooled_floor_summary(halves: dict[str, list[float]]) -> dict[str, Any]:
    """:func:`floor_summary` of every half's samples pooled, and of each half under its
    name (``{"before": [...], "after": [...]}`` gives ``{..., "before": {...}, "after":
    {...}}``)."""
    pooled = [sample for samples in halves.values() for sample in samples]
    return {**floor_summary(pooled),
            **{half: floor_summary(samples) for half, samples in halves.items()}}


def timed_calls(call: Callable[..., Any], record: Callable[..., None]) -> Callable[..., Any]:
    """``call`` wrapped so that after each call, returned or raised, ``record(seconds,
    *args)`` is told how long it took (for wrapping one instance's methods)."""
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        begin = time.perf_counter()
        try:
            return call(*args, **kwargs)
        finally:
            record(time.perf_counter() - begin, *args)

    return wrapper


class JsonLinesChild:
    """A part of a bench as another process (``python SCRIPT *ARGS``), driven over a pipe
    with JSON lines: one request in, its figures out. The first line the child writes
    (``{"ready": true}``) says it is set up."""

    def __init__(self, script: str, *args: str) -> None:
        import subprocess

        self._timeout = subprocess.TimeoutExpired
        self.process = subprocess.Popen(
            [sys.executable, script, *args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=os.environ.copy())
        self._read()

    def _read(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"bench child process ended (status {self.process.wait()})")
        return json.loads(line)

    def run(self, **request) -> dict:
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        return self._read()

    def close(self) -> None:
        try:
            self.process.stdin.close()
            self.process.wait(10)
        except (OSError, self._timeout):
            self.process.kill()
            self.process.wait()


class ProbeProcess(JsonLinesChild):
    """Load generators as another process (``SCRIPT --probe host:port:site``), as real
    devices are: their paho client must not share the hub's process (and its GIL)."""

    def __init__(self, script: str, host: str, port: int, site: str) -> None:
        super().__init__(script, "--probe", f"{host}:{port}:{site}")
