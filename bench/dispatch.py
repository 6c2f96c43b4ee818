"""How fast the single writer turns commands into durable commits, on SQLite and PostgreSQL.

Per database, in one run:

1. floor      - one durable transaction inserting one row, one every 20 ms (the paced
                phase's pace: ``_common.pace`` says why), with the store's own engine
                settings: what any durable write costs at least; the same back to back,
                reported beside it;
2. throughput - closed-loop clients submitting ``issue`` back-to-back through the
                dispatcher (group commit): durable commands per second, latency, batch size,
                and where the dispatcher thread spends its time;
3. interleaved - the same day's first and last quarters, on two copies of the site in
                processes of their own, timed in alternating slices (``run_interleaved``);
4. paced      - an open-loop 50 requests/s mix of ``issue``, ``call_next`` and ``finish``:
                latency measured from each request's scheduled send time.

Goals (reported with figure and pass/fail, never enforced): >= 1,000 durable commands/s on
SQLite; over a 20,000-ticket day the last quarter of the commands runs at >= 90 % of the
first quarter's rate (timed in turns: the interleaved phase); paced p99 <= 3x the floor
p99. Usage: ``python bench/dispatch.py [--quick] [--db sqlite|postgresql|both]``.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import datetime as dt
import json
import os
import sys
import threading
import time
from collections import Counter as Tally
from dataclasses import dataclass, field
from typing import Any

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
        "interleaved": {"rounds": 40},
        "services": 4,
        "counters": 4,
    },
    "quick": {
        "floor": {"commits": 30},
        "throughput": {"clients": 8, "commands": 400, "batch_max": 128, "warmup": 16},
        "paced": {"rate_per_s": 25, "duration_s": 2.0, "batch_max": 128},
        "interleaved": {"rounds": 4},
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
        timed = _common.timed_calls

        def committed(seconds: float, batch: Any) -> None:
            self.commit_s += seconds
            self.commits += 1
            self.commands_committed += len(batch.requests)
            self.events_committed += len(batch.events)
            self.batch_sizes.append(len(batch.requests))

        def processed(seconds: float, _work: Any) -> None:
            self.process_s += seconds
            self.batches += 1

        def executed(seconds: float, *_args: Any) -> None:
            self.sql_s += seconds
            self.sql_statements += 1

        def dbapi_committed(seconds: float, _connection: Any) -> None:
            self.dbapi_commit_s += seconds

        store.commit = timed(store.commit, committed)  # type: ignore[method-assign]
        # _process is private; time it when present, skip the figure otherwise.
        process = getattr(dispatcher, "_process", None)
        if process is not None:
            dispatcher._process = timed(process, processed)  # type: ignore[method-assign]
        dialect = store.engine.dialect
        for name in ("do_execute", "do_executemany", "do_execute_no_params"):
            setattr(dialect, name, timed(getattr(dialect, name), executed))
        # The store's write path runs its statements, BEGIN and COMMIT on the DBAPI
        # connection, not through the dialect: time them where they run.
        statements = store._statements
        statements.run = timed(statements.run, executed)  # type: ignore[method-assign]
        dialect.do_commit = timed(dialect.do_commit, dbapi_committed)  # type: ignore[method-assign]
        statements.commit = timed(statements.commit, dbapi_committed)  # type: ignore[method-assign]

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


@dataclass
class LoopRun:
    """What one closed loop did: per command its latency, completion time and the process
    CPU at completion; the outcomes; when the clients were released."""

    started: float
    started_cpu: float
    latencies: list[float]
    ends: list[float]
    cpu: list[tuple[float, float]]
    outcomes: Tally

    @property
    def wall_s(self) -> float:
        return max(self.ends) - self.started if self.ends else 0.0

    @property
    def cpu_s(self) -> float:
        return max(cpu for _, cpu in self.cpu) - self.started_cpu if self.cpu else 0.0


def closed_loop(site: Site, clients: int, total: int, tag: str) -> LoopRun:
    """``clients`` threads issuing back-to-back through the dispatcher, ``total`` in all.

    One shared count of the commands, taken by whichever client is free: all the clients
    stay busy to the last command, so the end of a run is not measured while early
    finishers have already left (fixed shares did that: batches shrank by a tenth at the
    end of the day, and the rate with them). Request ids carry ``tag``, so loops on one
    site never repeat an id."""
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
                            f"{tag}-{k}-{j}")
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
    return LoopRun(started, started_cpu, [t for each in latencies for t in each],
                   sorted(t for each in finished for t in each),
                   [pair for each in cpu for pair in each], sum(outcomes, Tally()))


def warm_up(site: Site, count: int) -> None:
    for i in range(count):
        site.dispatcher.execute(issue(site.services[i % len(site.services)], "kiosk/warm",
                                      f"warm-{i}"))


def run_throughput(url: str, settings: dict[str, Any]) -> dict[str, Any]:
    """Closed loop: ``clients`` threads, each issuing back-to-back, ``commands`` in all."""
    conf = settings["throughput"]
    site = open_site(url, "bench-throughput", settings, conf["batch_max"])
    try:
        warm_up(site, conf["warmup"])
        site.meter.reset()
        run = closed_loop(site, conf["clients"], conf["commands"], "tp")
        wall = run.wall_s
        by_quarter = _common.rates_by_quarter(run.ends, run.started)
        return {
            "clients": conf["clients"],
            "commands": len(run.latencies),
            "wall_s": round(wall, 3),
            "commands_per_s": round(len(run.latencies) / wall, 1),
            "commands_per_s_by_quarter": by_quarter,
            "last_quarter_over_first": (round(by_quarter[-1] / by_quarter[0], 3)
                                        if by_quarter and by_quarter[0] else None),
            # The bench's process (dispatcher, clients, checkpointer) per command, by the
            # same quarters: whether the later quarters did more work, or had less machine.
            "cpu_us_per_command_by_quarter": _common.cpu_by_quarter(run.cpu, run.started_cpu),
            "outcomes": dict(run.outcomes),
            "tickets_in_state_at_end": len(site.dispatcher.state.tickets),
            "latency": _common.latency_summary(run.latencies),
            **site.meter.figures(wall),
        }
    finally:
        site.close()


# --- the day's first and last quarters, interleaved --------------------------------------------


def run_interleaved(early_url: str, late_url: str, settings: dict[str, Any]) -> dict[str, Any]:
    """The first and the last quarter of one 20,000-ticket day, timed in alternation.

    Two copies of the throughput phase's site, each in a process of its own (its own heap
    and collector, as a hub's): *late* first runs the day's first three quarters, then the
    two run the remaining quarter each (*early* the day's first 5,000 commands, *late* its
    last 5,000) in ``rounds`` slices, taking turns (early-late, then late-early, so a
    steady drift of the machine weighs on both alike). On a VM whose speed moves by 10 to
    20 % within seconds, a first quarter timed at one moment and a last quarter timed a
    few seconds later compare two machines; slices in turns compare the two quarters on
    the same machine. The rate of each is its commands over the sum of its slices' times.
    """
    conf = settings["throughput"]
    quarter = conf["commands"] // 4
    rounds = settings["interleaved"]["rounds"]
    slice_commands = quarter // rounds
    parts = {name: _common.JsonLinesChild(__file__, "--day-part",
                                          json.dumps({"url": url, "settings": settings}))
             for name, url in (("early", early_url), ("late", late_url))}
    try:
        _common.progress(f"interleaved: the late site runs the day's first "
                         f"{3 * quarter} commands")
        fill = parts["late"].run(commands=3 * quarter)
        slices: dict[str, list[dict[str, Any]]] = {"early": [], "late": []}
        for r in range(rounds):
            for name in (("early", "late") if r % 2 == 0 else ("late", "early")):
                slices[name].append(parts[name].run(commands=slice_commands))
        figures: dict[str, Any] = {"rounds": rounds, "slice_commands": slice_commands,
                                   "late_fill": fill}
        for name, done in slices.items():
            commands = sum(one["commands"] for one in done)
            wall = sum(one["wall_s"] for one in done)
            figures[name] = {
                "commands": commands,
                "outcomes": dict(sum((Tally(one["outcomes"]) for one in done), Tally())),
                "commands_per_s": round(commands / wall, 1) if wall > 0 else None,
                "cpu_us_per_command": round(
                    sum(one["cpu_s"] for one in done) * 1e6 / commands, 1),
                "system_cpu_us_per_command": round(
                    sum(one["system_cpu_s"] for one in done) * 1e6 / commands, 1),
                "commands_per_s_by_slice": [one["commands_per_s"] for one in done],
                "mean_batch_size": round(
                    sum(one["mean_batch_size"] * one["commands"] for one in done) / commands, 2),
                "tickets_in_state_at_end": done[-1]["tickets_in_state"],
            }
        early, late = figures["early"]["commands_per_s"], figures["late"]["commands_per_s"]
        figures["last_quarter_over_first"] = round(late / early, 3) if early and late else None
        return figures
    finally:
        for part in parts.values():
            part.close()


def serve_day_part(argument: str) -> int:
    """The ``--day-part '{"url", "settings"}'`` process: one site of
    :func:`run_interleaved`. Runs the throughput phase's warm-up, says ``{"ready": true}``,
    then for each ``{"commands": n}`` line on stdin runs a closed loop of ``n`` issues and
    writes its figures."""
    given = json.loads(argument)
    url, settings = given["url"], given["settings"]
    conf = settings["throughput"]
    site = open_site(url, "bench-throughput", settings, conf["batch_max"])
    try:
        warm_up(site, conf["warmup"])
        print(json.dumps({"ready": True}), flush=True)
        for number, line in enumerate(sys.stdin):
            request = json.loads(line)
            site.meter.reset()
            before = os.times()
            run = closed_loop(site, conf["clients"], request["commands"], f"part{number}")
            after = os.times()
            wall = run.wall_s
            print(json.dumps({
                "commands": len(run.latencies),
                "outcomes": dict(run.outcomes),
                "wall_s": wall,
                "cpu_s": run.cpu_s,
                # The kernel's share (SQLite reading pages the page cache no longer holds
                # is a system call each): work callgrind does not count.
                "system_cpu_s": after.system - before.system,
                "commands_per_s": round(len(run.latencies) / wall, 1) if wall > 0 else None,
                "mean_batch_size": site.meter.figures(wall)["mean_batch_size"],
                "tickets_in_state": len(site.dispatcher.state.tickets),
            }), flush=True)
    finally:
        site.close()
    return 0


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


def run_database(kind: str, urls: tuple[str, str, str], settings: dict[str, Any]
                 ) -> dict[str, Any]:
    """The phases on one database kind: ``urls`` are three empty databases, one for the
    throughput and paced phases and two for the interleaved quarters.

    The floor is sampled in two halves, before the throughput and paced phases and after
    them, and pooled: on a shared machine the cost of an fsync drifts, and the pooled
    figure covers the same period as the dispatcher's. The goal's floor is sampled at the
    paced phase's pace; the back-to-back one is kept beside it. The interleaved quarters
    come last: the 25,000 commands they write must not be checkpointed (PostgreSQL) under
    the paced phase or the floor."""
    progress = _common.progress
    url, early_url, late_url = urls
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

    progress(f"{kind}: the day's first and last quarters, interleaved "
             f"({settings['interleaved']['rounds']} slices each)")
    interleaved = run_interleaved(early_url, late_url, settings)
    progress(f"{kind}: interleaved, first quarter {interleaved['early']['commands_per_s']} "
             f"commands/s, last {interleaved['late']['commands_per_s']} commands/s "
             f"(ratio {interleaved['last_quarter_over_first']}); CPU per command "
             f"{interleaved['early']['cpu_us_per_command']} and "
             f"{interleaved['late']['cpu_us_per_command']} µs")
    return {"floor": floor, "floor_back_to_back": back_to_back, "throughput": throughput,
            "interleaved": interleaved, "paced": paced}


def evaluate_goals(results: dict[str, Any]) -> dict[str, Any]:
    """Each goal as ``{"figure", "goal", "pass"}`` (see ``_common.goal``)."""
    goals: dict[str, Any] = {}
    sqlite = results.get("sqlite")
    if sqlite and "throughput" in sqlite:
        goals["sqlite_commands_per_s"] = _common.goal(
            sqlite["throughput"]["commands_per_s"], ">=", GOAL_SQLITE_COMMANDS_PER_S)
    for kind, figures in results.items():
        if "interleaved" in figures:
            # The quarters timed in turns (run_interleaved says why); the throughput
            # phase's sequential ratio stays in its figures, beside it.
            goals[f"{kind}_last_quarter_over_first"] = _common.goal(
                figures["interleaved"]["last_quarter_over_first"], ">=",
                GOAL_LAST_QUARTER_OVER_FIRST)
        if "paced" in figures:
            goals[f"{kind}_paced_p99_over_floor_p99"] = _common.goal(
                figures["paced"]["p99_over_floor_p99"], "<=", GOAL_PACED_P99_OVER_FLOOR)
    return goals


def main(argv: list[str] | None = None) -> int:
    parser = _common.argument_parser(__doc__.splitlines()[0])
    parser.add_argument("--day-part", help=argparse.SUPPRESS)  # run_interleaved's children
    args = parser.parse_args(argv)
    if args.day_part:
        return serve_day_part(args.day_part)
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
            with contextlib.ExitStack() as stack:
                urls = tuple(stack.enter_context(_common.sqlite_database()) for _ in range(3))
                results["sqlite"] = run_database("sqlite", urls, settings)
            continue
        _common.progress("postgresql: starting a private cluster")
        try:
            with _common.postgres_cluster() as cluster:
                urls = tuple(cluster.create_database(f"bench_{name}")
                             for name in ("dispatch", "early", "late"))
                server = _common.postgres_server_info(urls[0])
                document["machine"]["postgresql"] = server["version"]
                results["postgresql"] = {"server": server,
                                         **run_database("postgresql", urls, settings)}
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
