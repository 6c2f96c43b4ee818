"""The dispatcher's work per command over a 20,000-ticket day, counted in instructions.

``dispatch.py`` times the dispatcher-alone day, and on a small virtual machine its
quarters move by ten or twenty percent either way from one run to the next: the machine's
speed moves that much within a few seconds (its CPU time per command moves with it).
This bench asks the question behind that goal, whether a command costs more once the day
is full, in a unit the machine's speed cannot move: instructions executed, counted by
Valgrind's callgrind (every instruction of the process: Python, SQLite, the C library).

The day is ``dispatch.py``'s throughput day made repeatable:

* the same site, store and dispatcher (``dispatch.open_site``: four services, the hub's
  collector pacing), issuing tickets from 32 kiosks' request ids;
* batches of exactly ``batch`` commands (the timed day's batches are 26 to 29 on
  average), formed through the public API: a writer task holds the writer while a batch
  is submitted, so nothing depends on thread timing;
* no background WAL checkpointer (it runs on the wall clock, and under callgrind the wall
  clock runs fifty times slower than the work): SQLite's own checkpoint inside the
  commits copies the log instead, the same work at deterministic points.

callgrind dumps its counts at the end of each quarter (``callgrind_control --dump``);
the bench reports instructions per command by quarter, the rate the last quarter would
run at relative to the first on a machine of constant speed (first / last), and the
functions whose instructions grew most between the first and the last quarter.

Goal (reported, never enforced): ``work_rate_last_quarter_over_first`` >= 0.9, issue 7's
dispatcher-alone goal restated in work. SQLite only: a PostgreSQL server's work is done
in processes callgrind does not see. Needs ``valgrind`` (Debian's package); without it
the figures are null and the goal fails. Usage: ``python bench/dispatch_work.py [--quick]``
(about ten minutes; ``--quick`` about two).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

if __package__:  # imported as bench.dispatch_work
    from . import _common, dispatch
else:  # run as a script: bench/ is sys.path[0]
    import _common  # puts the repository root on sys.path
    import dispatch

NAME = "dispatch_work"
GOAL_WORK_RATE_LAST_QUARTER_OVER_FIRST = 0.90
SETTINGS = {
    "full": {"commands": 20_000, "batch": 25, "kiosks": 32, "warmup": 64,
             "services": 4, "counters": 4},
    "quick": {"commands": 400, "batch": 25, "kiosks": 32, "warmup": 16,
              "services": 4, "counters": 4},
}
#: How many functions ``grew_most`` lists.
GREW_MOST = 12


# --- the day (the child process, under callgrind) ---------------------------------------------


def run_batch(site: dispatch.Site, requests: list[dispatch.Request]) -> None:
    """Decide and commit ``requests`` as exactly one batch: a writer task holds the writer
    thread (after it has taken its batch, which is the task alone) until all of them are
    queued behind it."""
    inside, release = threading.Event(), threading.Event()

    def hold() -> None:
        inside.set()
        release.wait()

    site.dispatcher.run_in_writer(hold)
    inside.wait()
    futures = [site.dispatcher.submit(request) for request in requests]
    release.set()
    for future in futures:
        result = future.result(600)
        if not result.ok:
            raise RuntimeError(f"issue refused: {result.error}")


def run_day(url: str, settings: dict[str, Any],
            at_quarter_end=lambda quarter: None) -> list[int]:
    """The repeatable day; calls ``at_quarter_end(q)`` after the warm-up (q = 0) and after
    each quarter's last batch (q = 1..4). Returns the batch sizes the writer committed."""
    commands, size, kiosks = settings["commands"], settings["batch"], settings["kiosks"]
    if commands % (4 * size):
        raise ValueError("commands must be a whole number of batches per quarter")
    site = dispatch.open_site(url, "bench-work", settings, batch_max=size)
    try:
        # No background checkpointer (see the module docstring); it starts with the
        # writer's first connection, so dropping it before the first commit is enough.
        site.store.checkpointer = None
        services = site.services
        for i in range(settings["warmup"]):
            run_batch(site, [dispatch.issue(services[i % len(services)], "kiosk/warm",
                                            f"warm-{i}")])
        site.meter.reset()
        at_quarter_end(0)
        per_quarter = commands // 4
        for first in range(0, commands, size):
            run_batch(site, [dispatch.issue(services[n % len(services)],
                                            f"kiosk/{n % kiosks}", f"tp-{n % kiosks}-{n // kiosks}")
                             for n in range(first, first + size)])
            if (first + size) % per_quarter == 0:
                at_quarter_end((first + size) // per_quarter)
        return list(site.meter.batch_sizes)
    finally:
        site.close()


def run_child(settings: dict[str, Any]) -> int:
    """The ``--child`` process: run the day, asking callgrind for a dump at each mark."""
    pid = str(os.getpid())

    def dump(quarter: int) -> None:
        subprocess.run(["callgrind_control", f"--dump=q{quarter}", pid], check=True,
                       stdout=subprocess.DEVNULL)

    with _common.sqlite_database() as url:
        sizes = run_day(url, settings, dump)
    if set(sizes) != {settings["batch"]}:
        raise RuntimeError(f"batches were not all of {settings['batch']}: {sorted(set(sizes))}")
    return 0


# --- reading callgrind's dumps -------------------------------------------------------------------

_NAME_LINE = re.compile(r"^(c?fn|c?ob)=\((\d+)\)(?: (.*))?$")


def read_dumps(paths: Iterable[Path]) -> list[tuple[str, dict[str, int]]]:
    """``(trigger, {function: self instructions})`` per dump file, in the order given.

    callgrind writes a function's name once, at its first use in any part of the run, and
    ``fn=(id)`` alone afterwards, so the parts are read in order with one name table (and
    one for the objects, ``ob=``, which name the library of a function known only by its
    address). A cost line after ``calls=`` is the call's inclusive cost and is skipped;
    every other cost line adds to the current function's own (self) count."""
    names: dict[str, str] = {}
    objects: dict[str, str] = {}
    object_of: dict[str, str] = {}
    parts = []
    for path in paths:
        trigger, costs = "", {}
        function, current_object, inclusive_next = None, None, False
        with open(path, encoding="utf-8", errors="replace") as lines:
            for line in lines:
                match = _NAME_LINE.match(line.rstrip("\n"))
                if match:
                    kind, ident, name = match.groups()
                    table = objects if kind.endswith("ob") else names
                    if name:
                        table[ident] = name
                    if kind == "ob":
                        current_object = ident
                    elif kind == "fn":
                        function = ident
                        if current_object is not None:
                            object_of.setdefault(ident, current_object)
                    continue
                if line.startswith("desc: Trigger:"):
                    trigger = line.split(":", 2)[2].strip()
                elif line.startswith("calls="):
                    inclusive_next = True
                elif line[:1].isdigit() or line[:1] in "+-*":
                    if inclusive_next:
                        inclusive_next = False
                        continue
                    fields = line.split()
                    if len(fields) >= 2 and function is not None:
                        costs[function] = costs.get(function, 0) + int(fields[1])
        parts.append((trigger, costs))

    def label(ident: str) -> str:
        name = names.get(ident, f"fn {ident}")
        if name.startswith("0x") and ident in object_of:  # no symbol: say whose it is
            name += f" ({Path(objects.get(object_of[ident], '?')).name})"
        return name

    return [(trigger, {label(k): v for k, v in costs.items()}) for trigger, costs in parts]


def dump_files(directory: Path, stem: str) -> list[Path]:
    """callgrind's numbered dumps ``<stem>.1``, ``<stem>.2``, … in order."""
    numbered = [p for p in directory.glob(f"{stem}.*") if p.suffix[1:].isdigit()]
    return sorted(numbered, key=lambda p: int(p.suffix[1:]))


def quarter_figures(dumps: list[tuple[str, dict[str, int]]], commands: int) -> dict[str, Any]:
    """Instructions per command in each quarter (dumps triggered ``dump q1`` … ``q4``),
    the rate ratio they imply and the functions that grew most from the first quarter to
    the last."""
    quarters = {trigger.removeprefix("dump "): costs for trigger, costs in dumps}
    missing = [q for q in ("q1", "q2", "q3", "q4") if q not in quarters]
    if missing:
        raise ValueError(f"callgrind dumps missing for {', '.join(missing)}")
    per_quarter = commands / 4
    totals = [sum(quarters[f"q{q}"].values()) for q in range(1, 5)]
    first, last = quarters["q1"], quarters["q4"]
    growth = {name: last.get(name, 0) - first.get(name, 0) for name in set(first) | set(last)}
    grew = sorted(growth.items(), key=lambda item: -item[1])[:GREW_MOST]
    return {
        "instructions_per_command_by_quarter": [round(total / per_quarter) for total in totals],
        "work_rate_last_quarter_over_first": round(totals[0] / totals[3], 3),
        "grew_most": [{"function": name,
                       "instructions_per_command_q1": round(first.get(name, 0) / per_quarter),
                       "growth_per_command": round(delta / per_quarter)}
                      for name, delta in grew if delta > 0],
    }


# --- the parent ------------------------------------------------------------------------------


def measure(settings: dict[str, Any]) -> dict[str, Any]:
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        _common.progress("valgrind not found (Debian's package 'valgrind'): nothing counted")
        return {"skipped": "valgrind not found",
                "goals": {"work_rate_last_quarter_over_first": _common.goal(
                    None, ">=", GOAL_WORK_RATE_LAST_QUARTER_OVER_FIRST)}}
    with tempfile.TemporaryDirectory(prefix="motcua-callgrind-") as directory:
        stem = "callgrind.out"
        command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={directory}/{stem}",
                   sys.executable, str(Path(__file__).resolve()), "--child"]
        if settings == SETTINGS["quick"]:
            command.append("--quick")
        _common.progress(f"sqlite: {settings['commands']} issues in batches of "
                         f"{settings['batch']}, under callgrind (about 50 times slower)")
        began = time.perf_counter()
        child = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, check=False)
        if child.returncode != 0:
            raise RuntimeError(f"the day under callgrind failed ({child.returncode}): "
                               f"{child.stderr[-2000:]}")
        figures = quarter_figures(read_dumps(dump_files(Path(directory), stem)),
                                  settings["commands"])
    figures["callgrind_wall_s"] = round(time.perf_counter() - began, 1)
    _common.progress(f"sqlite: instructions per command by quarter "
                     f"{figures['instructions_per_command_by_quarter']}, rate ratio "
                     f"{figures['work_rate_last_quarter_over_first']}")
    figures["goals"] = {"work_rate_last_quarter_over_first": _common.goal(
        figures["work_rate_last_quarter_over_first"], ">=",
        GOAL_WORK_RATE_LAST_QUARTER_OVER_FIRST)}
    return figures


def main() -> int:
    if "--child" in sys.argv:
        return run_child(SETTINGS["quick" if "--quick" in sys.argv else "full"])
    return _common.run_single_database(NAME, __doc__.splitlines()[0], SETTINGS, measure)


if __name__ == "__main__":
    raise SystemExit(main())
