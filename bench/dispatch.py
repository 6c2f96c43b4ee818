"""How fast the single writer turns commands into durable commits, on SQLite and PostgreSQL.

Per database, in one run:

1. floor      - one durable transaction inserting one row, one every 20 ms (the paced
                phase's pace: ``_common.pace`` says why), with the store's own engine
                settings: what any durable write costs at least; the same back to back,
                reported beside it;
2. throughput - closed-loop clients submitting ``issue`` back-to-back through the
                dispatcher (group commit): durable commands per second, latency, batch size,
                and where the dispatcher thread spends its time;
3. paced      - an open-loop 50 requests/s mix of ``issue``, ``call_next`` and ``finish``:
                latency measured from each request's scheduled send time.

Goals (reported with figure and pass/fail, never enforced): >= 1,000 durable commands/s on
SQLite; over a 20,000-ticket day the last quarter of the commands runs at >= 90 % of the
first quarter's rate; paced p99 <= 3x the floor p99. Usage: ``python bench/dispatch.py [--quick] [--db sqlite|postgresql|both]``.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import threading
import time
from collections import Counter as Tally
from dataclasses import dataclass, field
from typing import Any, Callable

if __package__:  # imported as bench.dispatch
    from . import _common
else:  # run as a script: bench/ is sys.path[0]
    import _common  # puts the repository root on sys.path

from motcua.heap import HeapPacer  # noqa: E402
from motcua.dispatch import Dispatcher, Request
from motcua.domain import Assignment, Command, CounterSetup, IssuingSession, Service, SiteSetup
from motcua.store import SiteStore, open_site_store

NAME = "dispatch"
TIMEZONE = "Asia/Ho_Chi_Minh"
#: A Monday, 08:00 in Hanoi: the bench clock starts here and runs at wall-clock speed, so
#: no run ever crosses a business day whatever the real time is.
CLOCK_START = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.timezone.utc)

SETTINGS = {
    "full": {
        "floor": {"commits": 300},
        "throughput": {"clients": 32, "commands": 20_000, "batch_max": 128, "warmup": 64},
        "paced": {"rate_per_s": 50, "duration_s": 10.0, "batch_max": 128},
        "services": 4,
        "counters": 4,
    },
    "quick": {
        "floor": {"commits": 30},
        "throughput": {"clients": 8, "commands": 400, "batch_max": 128, "warmup": 16},
        "paced": {"rate_per_s": 25, "duration_s": 2.0, "batch_max": 128},
        "services": 4,
        "counters": 4,
    },
}
#: The paced mix, repeated: three issues, then a call and a finish at one counter (the
#: counter changes every cycle).
PACED_CYCLE = ("issue", "issue", "call_next", "issue", "finish")

GOAL_SQLITE_COMMANDS_PER_S = 1000.0
GOAL_LAST_QUARTER_OVER_FIRST = 0.90
GOAL_PACED_P99_OVER_FLOOR = 3.0


# --- the site ----------------------------------------------------------------------------------


def make_setup(site_id: str, services: int, counters: int) -> SiteSetup:
    """Services issuing all day every day (no daily cap); each counter serves them all."""
    codes = [f"svc-{i}" for i in range(services)]
    return SiteSetup(
        site_id=site_id,
        name=f"Bench {site_id}",
        timezone=TIMEZONE,
        services={code: Service(code, chr(ord("A") + i), f"Service {i}")
                  for i, code in enumerate(codes)},
        counters={n: CounterSetup(n, f"Quầy {n}", (Assignment(tuple(codes)),))
                  for n in range(1, counters + 1)},
        sessions=(IssuingSession("all", dt.time(0, 0), dt.time(23, 59, 59), frozenset(range(7))),),
    )


class BenchClock:
    """``CLOCK_START`` plus the real time elapsed since this clock was made."""

    def __init__(self) -> None:
        self._origin = time.perf_counter()

    def __call__(self) -> dt.datetime:
        return CLOCK_START + dt.timedelta(seconds=time.perf_counter() - self._origin)


# --- instrumentation (on the bench's own objects only) ------------------------------------------


@dataclass
class Meter:
    """Counts and times what the dispatcher thread does, by wrapping methods of the bench's
    own store, dialect and dispatcher instances (the classes are untouched)."""

    batches: int = 0
    process_s: float = 0.0
    commits: int = 0
    commit_s: float = 0.0
    commands_committed: int = 0
    events_committed: int = 0
    batch_sizes: list[int] = field(default_factory=list)
    sql_statements: int = 0
    sql_s: float = 0.0
    dbapi_commit_s: float = 0.0

    def reset(self) -> None:
        fresh = Meter()
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(fresh, name))

    def attach(self, store: SiteStore, dispatcher: Dispatcher) -> None:
        meter = self
        commit = store.commit

        def counted_commit(batch):
            begin = time.perf_counter()
            try:
                return commit(batch)
            finally:
                meter.commit_s += time.perf_counter() - begin
                meter.commits += 1
                meter.commands_committed += len(batch.requests)
                meter.events_committed += len(batch.events)
                meter.batch_sizes.append(len(batch.requests))

        store.commit = counted_commit  # type: ignore[method-assign]

        # _process is private; time it when present, skip the figure otherwise.
        process = getattr(dispatcher, "_process", None)
        if process is not None:
            def timed_process(work):
                begin = time.perf_counter()
                try:
                    return process(work)
                finally:
                    meter.process_s += time.perf_counter() - begin
                    meter.batches += 1

            dispatcher._process = timed_process  # type: ignore[method-assign]

        dialect = store.engine.dialect
        for name in ("do_execute", "do_executemany", "do_execute_no_params"):
            original = getattr(dialect, name)
            setattr(dialect, name, self._timed_sql(original))
        # The store's write path runs its statements, BEGIN and COMMIT on the DBAPI
        # connection, not through the dialect: time them where they run.
        statements = store._statements
        statements.run = self._timed_sql(statements.run)  # type: ignore[method-assign]
        dialect.do_commit = self._timed_commit(dialect.do_commit)  # type: ignore[method-assign]
        statements.commit = self._timed_commit(statements.commit)  # type: ignore[method-assign]

    def _timed_commit(self, original: Callable[[Any], Any]) -> Callable[[Any], Any]:
        meter = self

        def timed(dbapi_connection):
            begin = time.perf_counter()
            try:
                return original(dbapi_connection)
            finally:
                meter.dbapi_commit_s += time.perf_counter() - begin

        return timed

    def _timed_sql(self, original: Callable[..., Any]) -> Callable[..., Any]:
        meter = self

        def timed(*args, **kwargs):
            begin = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                meter.sql_s += time.perf_counter() - begin
                meter.sql_statements += 1

        return timed

    def figures(self, wall_s: float) -> dict[str, Any]:
        """Batch sizes and a breakdown of the dispatcher thread's time over ``wall_s``."""
        commits = max(self.commits, 1)
        sizes = sorted(self.batch_sizes)
        python_in_commit = self.commit_s - self.sql_s - self.dbapi_commit_s
        return {
            "commits": self.commits,
            "mean_batch_size": round(self.commands_committed / commits, 2),
            "max_batch_size": sizes[-1] if sizes else 0,
            "events_per_commit": round(self.events_committed / commits, 2),
            "sql_statements_per_commit": round(self.sql_statements / commits, 1),
            "per_commit_ms": {
                "store_commit": round(self.commit_s / commits * 1000, 3),
                "sql_execute": round(self.sql_s / commits * 1000, 3),
                "dbapi_commit": round(self.dbapi_commit_s / commits * 1000, 3),
            },
            # Where the wall time of the phase went on the dispatcher thread.
            "dispatcher_time_share": {
                "busy": _share(self.process_s, wall_s),
                "decide_and_bookkeeping": _share(self.process_s - self.commit_s, wall_s),
                "commit_python_and_sqlalchemy": _share(python_in_commit, wall_s),
                "commit_sql_execute": _share(self.sql_s, wall_s),
                "commit_dbapi_commit_fsync": _share(self.dbapi_commit_s, wall_s),
            } if self.batches else None,
        }


def _share(part: float, whole: float) -> float:
    return round(part / whole, 3) if whole > 0 else 0.0


@dataclass
class Site:
    store: SiteStore
    dispatcher: Dispatcher
    meter: Meter
    services: list[str]
    counters: list[int]
    heap: HeapPacer

    def close(self) -> None:
        self.dispatcher.stop()
        self.heap.release()
        self.store.engine.dispose()


def open_site(url: str, site_id: str, settings: dict[str, Any], batch_max: int) -> Site:
    setup = make_setup(site_id, settings["services"], settings["counters"])
    clock = BenchClock()
    store = open_site_store(url, setup, clock())
    dispatcher = Dispatcher(store, clock=clock, batch_max=batch_max)
    # The writer as the hub runs it: with the hub's collector pacing (motcua.heap), so
    # the day's growing heap costs no more late in the day than early.
    heap = HeapPacer().install()
    dispatcher.add_listener(lambda notice: heap.after_commands(len(notice.results)))
    meter = Meter()
    meter.attach(store, dispatcher)
    dispatcher.start()
    return Site(store, dispatcher, meter, list(setup.services), sorted(setup.counters), heap)


def issue(service: str, source: str, request_id: str) -> Request:
    return Request(Command("issue", {"service": service}), source=source, request_id=request_id)


def counter_request(action: str, counter: int, request_id: str, **args: Any) -> Request:
    return Request(Command(action, args, counter=counter), source=f"counter/{counter}",
                   request_id=request_id)


# --- phases -------------------------------------------------------------------------------------


def run_throughput(url: str, settings: dict[str, Any]) -> dict[str, Any]:
    """Closed loop: ``clients`` threads, each issuing back-to-back, ``commands`` in all."""
    conf = settings["throughput"]
    clients, total = conf["clients"], conf["commands"]
    site = open_site(url, "bench-throughput", settings, conf["batch_max"])
    try:
        for i in range(conf["warmup"]):
            site.dispatcher.execute(issue(site.services[i % len(site.services)], "kiosk/warm",
                                          f"warm-{i}"))
        site.meter.reset()
        # One shared count of the day's commands, taken by whichever client is free: all
        # the clients stay busy to the last command, so the last quarter is not measured
        # while early finishers have already left (fixed shares did that: batches shrank
        # by a tenth at the end of the day, and the rate with them).
        unclaimed = [total]
        claim = threading.Lock()

        def claim_one() -> bool:
            with claim:
                if unclaimed[0] <= 0:
                    return False
                unclaimed[0] -= 1
                return True

        latencies: list[list[float]] = [[] for _ in range(clients)]
        finished: list[list[float]] = [[] for _ in range(clients)]
        cpu: list[list[tuple[float, float]]] = [[] for _ in range(clients)]
        outcomes: list[Tally] = [Tally() for _ in range(clients)]
        barrier = threading.Barrier(clients + 1)

        def client(k: int) -> None:
            execute = site.dispatcher.execute
            barrier.wait()
            j = 0
            while claim_one():
                j += 1
                request = issue(site.services[(k + j) % len(site.services)], f"kiosk/{k}",
                                f"tp-{k}-{j}")
                begin = time.perf_counter()
                result = execute(request, 120.0)
                end = time.perf_counter()
                latencies[k].append(end - begin)
                finished[k].append(end)
                cpu[k].append((end, time.process_time()))
                outcomes[k]["ok" if result.ok else result.error["code"]] += 1

        threads = [threading.Thread(target=client, args=(k,), name=f"bench-client-{k}")
                   for k in range(clients)]
        for thread in threads:
            thread.start()
        barrier.wait()
        started = time.perf_counter()
        started_cpu = time.process_time()
        for thread in threads:
            thread.join()
        ends = sorted(t for per_client in finished for t in per_client)
        wall = ends[-1] - started
        all_latencies = [t for per_client in latencies for t in per_client]
        tally = sum(outcomes, Tally())
        by_quarter = _common.rates_by_quarter(ends, started)
        return {
            "clients": clients,
            "commands": len(all_latencies),
            "wall_s": round(wall, 3),
            "commands_per_s": round(len(all_latencies) / wall, 1),
            "commands_per_s_by_quarter": by_quarter,
            "last_quarter_over_first": (round(by_quarter[-1] / by_quarter[0], 3)
                                        if by_quarter and by_quarter[0] else None),
            # The bench's process (dispatcher, clients, checkpointer) per command, by the
            # same quarters: whether the later quarters did more work, or had less machine.
            "cpu_us_per_command_by_quarter": _common.cpu_by_quarter(
                [pair for per_client in cpu for pair in per_client], started_cpu),
            "outcomes": dict(tally),
            "tickets_in_state_at_end": len(site.dispatcher.state.tickets),
            "latency": _common.latency_summary(all_latencies),
            **site.meter.figures(wall),
        }
    finally:
        site.close()


def run_paced(url: str, settings: dict[str, Any]) -> dict[str, Any]:
    """Open loop at a fixed rate; latency from each request's scheduled send time."""
    conf = settings["paced"]
    rate, duration = conf["rate_per_s"], conf["duration_s"]
    site = open_site(url, "bench-paced", settings, conf["batch_max"])
    try:
        for number in site.counters:
            result = site.dispatcher.execute(counter_request("open", number, f"open-{number}",
                                                             clerk=f"Clerk {number}"))
            if not result.ok:
                raise RuntimeError(f"could not open counter {number}: {result.error}")
        for i in range(2 * len(site.counters)):
            site.dispatcher.execute(issue(site.services[i % len(site.services)], "kiosk/pre",
                                          f"pre-{i}"))
        site.meter.reset()

        count = int(rate * duration)
        interval = 1.0 / rate
        latencies: list[float | None] = [None] * count
        actions: list[str] = []
        outcomes: dict[str, Tally] = {}
        futures = []
        lateness: list[float] = []
        origin = time.perf_counter() + 0.02
        for i in range(count):
            cycle, step = divmod(i, len(PACED_CYCLE))
            action = PACED_CYCLE[step]
            if action == "issue":
                request = issue(site.services[i % len(site.services)], f"kiosk/{cycle % 3}",
                                f"paced-{i}")
            else:
                counter = site.counters[cycle % len(site.counters)]
                request = counter_request(action, counter, f"paced-{i}")
            actions.append(action)
            due = origin + i * interval
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            lateness.append(time.perf_counter() - due)
            future = site.dispatcher.submit(request)

            def done(fut: concurrent.futures.Future, i: int = i, due: float = due) -> None:
                latencies[i] = time.perf_counter() - due

            future.add_done_callback(done)
            futures.append(future)
        last_send = time.perf_counter()
        concurrent.futures.wait(futures, timeout=120)
        wall = time.perf_counter() - origin
        for action, future in zip(actions, futures):
            result = future.result(0)
            outcomes.setdefault(action, Tally())["ok" if result.ok else result.error["code"]] += 1
        measured = [t for t in latencies if t is not None]
        return {
            "rate_per_s": rate,
            "duration_s": duration,
            "requests": count,
            "achieved_rate_per_s": round(count / (last_send - origin + interval), 1),
            "send_lateness_p99_ms": round(_common.percentile(lateness, 99) * 1000, 3),
            "outcomes": {action: dict(tally) for action, tally in outcomes.items()},
            "latency": _common.latency_summary(measured),
            **site.meter.figures(wall),
        }
    finally:
        site.close()


def run_database(kind: str, url: str, settings: dict[str, Any]) -> dict[str, Any]:
    """The three phases on one database. The floor is sampled in two halves, before the
    dispatcher phases and after them, and pooled: on a shared machine the cost of an fsync
    drifts, and the pooled figure covers the same period as the dispatcher's. The goal's
    floor is sampled at the paced phase's pace; the back-to-back one is kept beside it."""
    progress = _common.progress
    commits = settings["floor"]["commits"]
    interval_s = 1.0 / settings["paced"]["rate_per_s"]
    intervals = {"paced": interval_s, "back_to_back": 0.0}
    floors: dict[str, dict[str, list[float]]] = {name: {} for name in intervals}

    def sample_floors(half: str, count: int) -> None:
        progress(f"{kind}: floor, the half {half} the dispatcher phases ({count} one-row "
                 f"commits, one every {interval_s * 1000:.0f} ms, then back to back)")
        for name, interval in intervals.items():
            floors[name][half] = _common.commit_floor_samples(url, count, interval_s=interval)

    sample_floors("before", commits // 2)

    conf = settings["throughput"]
    progress(f"{kind}: throughput ({conf['clients']} clients, {conf['commands']} issues)")
    throughput = run_throughput(url, settings)
    progress(f"{kind}: throughput {throughput['commands_per_s']} commands/s, "
             f"mean batch {throughput['mean_batch_size']}, "
             f"p99 {throughput['latency']['p99_ms']} ms; by quarter "
             f"{throughput['commands_per_s_by_quarter']} commands/s, "
             f"{throughput['cpu_us_per_command_by_quarter']} µs of CPU per command")

    conf = settings["paced"]
    progress(f"{kind}: paced ({conf['rate_per_s']}/s for {conf['duration_s']} s)")
    paced = run_paced(url, settings)

    sample_floors("after", commits - commits // 2)
    floor, back_to_back = ({**_common.pooled_floor_summary(floors[name]),
                            "interval_ms": round(intervals[name] * 1000, 3)}
                           for name in ("paced", "back_to_back"))
    progress(f"{kind}: floor p50 {floor['p50_ms']} ms, p99 {floor['p99_ms']} ms; back to "
             f"back p50 {back_to_back['p50_ms']} ms, p99 {back_to_back['p99_ms']} ms")
    p99 = paced["latency"]["p99_ms"]
    for key, summary in (("p99_over_floor_p99", floor),
                         ("p99_over_back_to_back_floor_p99", back_to_back)):
        paced[key] = round(p99 / summary["p99_ms"], 2) if summary["p99_ms"] > 0 else None
    progress(f"{kind}: paced p50 {paced['latency']['p50_ms']} ms, "
             f"p99 {p99} ms ({paced['p99_over_floor_p99']}x floor p99)")
    return {"floor": floor, "floor_back_to_back": back_to_back, "throughput": throughput,
            "paced": paced}


def evaluate_goals(results: dict[str, Any]) -> dict[str, Any]:
    """Each goal as ``{"figure", "goal", "pass"}`` (see ``_common.goal``)."""
    goals: dict[str, Any] = {}
    sqlite = results.get("sqlite")
    if sqlite and "throughput" in sqlite:
        goals["sqlite_commands_per_s"] = _common.goal(
            sqlite["throughput"]["commands_per_s"], ">=", GOAL_SQLITE_COMMANDS_PER_S)
    for kind, figures in results.items():
        if "throughput" in figures:
            goals[f"{kind}_last_quarter_over_first"] = _common.goal(
                figures["throughput"]["last_quarter_over_first"], ">=",
                GOAL_LAST_QUARTER_OVER_FIRST)
        if "paced" in figures:
            goals[f"{kind}_paced_p99_over_floor_p99"] = _common.goal(
                figures["paced"]["p99_over_floor_p99"], "<=", GOAL_PACED_P99_OVER_FLOOR)
    return goals


def main(argv: list[str] | None = None) -> int:
    args = _common.argument_parser(__doc__.splitlines()[0]).parse_args(argv)
    settings = SETTINGS["quick" if args.quick else "full"]
    started = time.perf_counter()
    document: dict[str, Any] = {
        "bench": NAME,
        "started_at": _common.utc_now_iso(),
        "machine": _common.machine_info(),
        "settings": {"quick": args.quick, "databases": list(_common.selected_databases(args.db)),
                     "paced_cycle": list(PACED_CYCLE), **settings},
        "results": {},
    }
    results = document["results"]
    for kind in _common.selected_databases(args.db):
        if kind == "sqlite":
            with _common.sqlite_database() as url:
                results["sqlite"] = run_database("sqlite", url, settings)
            continue
        _common.progress("postgresql: starting a private cluster")
        try:
            with _common.postgres_cluster() as cluster:
                url = cluster.create_database("bench_dispatch")
                server = _common.postgres_server_info(url)
                document["machine"]["postgresql"] = server["version"]
                results["postgresql"] = {"server": server,
                                         **run_database("postgresql", url, settings)}
        except _common.PostgresUnavailable as error:
            _common.progress(f"postgresql: skipped ({error})")
            results["postgresql"] = {"skipped": str(error)}
    document["goals"] = evaluate_goals(results)
    document["machine"]["load_average_at_end"] = _common.load_average()
    document["duration_s"] = round(time.perf_counter() - started, 1)
    _common.write_results(NAME, document)
    _common.print_goals(NAME, document["goals"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
