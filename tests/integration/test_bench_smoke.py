"""The dispatch bench runs end to end (quick mode, SQLite) and reports sane figures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
BENCH = REPO_ROOT / "bench" / "dispatch.py"


def _positive(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


def run_quick_bench(script: Path, name: str, tmp_path: Path, timeout: float) -> dict:
    """Run ``script --quick --db sqlite``; assert it exits 0 and that stdout and the JSON
    it wrote under BENCH_RESULTS_DIR are the same document; return that document."""
    env = {**os.environ, "BENCH_RESULTS_DIR": str(tmp_path / "results")}
    completed = subprocess.run(
        [sys.executable, str(script), "--quick", "--db", "sqlite"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=timeout,
        stdin=subprocess.DEVNULL, check=False,
    )
    assert completed.returncode == 0, completed.stderr
    document = json.loads(completed.stdout)
    written = json.loads((tmp_path / "results" / f"{name}.json").read_text(encoding="utf-8"))
    assert written == document
    return document


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_dispatch_bench_quick_sqlite(tmp_path: Path) -> None:
    """Given --quick --db sqlite, when the bench runs, then stdout and dispatch.json hold the
    same JSON with floor, throughput and paced figures, all commands succeeded, and goals
    are reported as booleans."""
    document = run_quick_bench(BENCH, "dispatch", tmp_path, timeout=100)

    assert document["bench"] == "dispatch"
    assert document["settings"]["quick"] is True
    machine = document["machine"]
    assert _positive(machine["cpu_count"])
    assert machine["python"] and machine["sqlite"]
    assert set(document["results"]) == {"sqlite"}

    sqlite = document["results"]["sqlite"]
    floor = sqlite["floor"]
    for key in ("p50_ms", "p99_ms", "commits_per_s"):
        assert _positive(floor[key]), key
    assert floor["p50_ms"] <= floor["p99_ms"]
    # The goal's floor is sampled at the paced phase's pace; the back-to-back one beside it,
    # each in two halves of the same size.
    rate = document["settings"]["paced"]["rate_per_s"]
    back_to_back = sqlite["floor_back_to_back"]
    assert (floor["interval_ms"], back_to_back["interval_ms"]) == (round(1000 / rate, 3), 0)
    commits = document["settings"]["floor"]["commits"]
    for summary in (floor, back_to_back):
        assert (summary["before"]["n"], summary["after"]["n"], summary["n"]) == (
            commits // 2, commits - commits // 2, commits)

    throughput = sqlite["throughput"]
    assert throughput["commands"] == document["settings"]["throughput"]["commands"]
    assert throughput["outcomes"] == {"ok": throughput["commands"]}
    for key in ("commands_per_s", "mean_batch_size", "commits"):
        assert _positive(throughput[key]), key
    for key in ("p50_ms", "p99_ms"):
        assert _positive(throughput["latency"][key]), key

    paced = sqlite["paced"]
    assert paced["requests"] == paced["latency"]["n"] > 0
    for action in ("issue", "call_next", "finish"):
        assert set(paced["outcomes"][action]) == {"ok"}, paced["outcomes"]
    for key in ("p50_ms", "p99_ms"):
        assert _positive(paced["latency"][key]), key
    assert paced["p99_over_floor_p99"] == round(paced["latency"]["p99_ms"] / floor["p99_ms"], 2)
    assert paced["p99_over_back_to_back_floor_p99"] == round(
        paced["latency"]["p99_ms"] / back_to_back["p99_ms"], 2)

    assert len(throughput["commands_per_s_by_quarter"]) == 4
    assert all(_positive(rate) for rate in throughput["commands_per_s_by_quarter"])
    assert len(throughput["cpu_us_per_command_by_quarter"]) == 4
    assert all(_positive(cpu) for cpu in throughput["cpu_us_per_command_by_quarter"])

    # The day's first and last quarters on two sites in turns: the early site ran the
    # first quarter, the late one the first three and then the last, slice by slice.
    interleaved = sqlite["interleaved"]
    rounds = document["settings"]["interleaved"]["rounds"]
    quarter = document["settings"]["throughput"]["commands"] // 4
    warmup = document["settings"]["throughput"]["warmup"]
    assert (interleaved["rounds"], interleaved["slice_commands"]) == (rounds, quarter // rounds)
    assert interleaved["late_fill"]["commands"] == 3 * quarter
    for name, tickets in (("early", warmup + quarter), ("late", warmup + 4 * quarter)):
        part = interleaved[name]
        assert part["commands"] == quarter
        assert part["outcomes"] == {"ok": quarter}
        assert part["tickets_in_state_at_end"] == tickets
        assert len(part["commands_per_s_by_slice"]) == rounds
        assert _positive(part["commands_per_s"]) and _positive(part["cpu_us_per_command"])
    assert interleaved["last_quarter_over_first"] == round(
        interleaved["late"]["commands_per_s"] / interleaved["early"]["commands_per_s"], 3)

    goals = document["goals"]
    assert set(goals) == {"sqlite_commands_per_s", "sqlite_last_quarter_over_first",
                          "sqlite_paced_p99_over_floor_p99"}
    assert goals["sqlite_commands_per_s"]["figure"] == throughput["commands_per_s"]
    assert goals["sqlite_commands_per_s"]["goal"] == ">= 1000"
    assert goals["sqlite_last_quarter_over_first"]["figure"] == (
        interleaved["last_quarter_over_first"])
    assert goals["sqlite_last_quarter_over_first"]["goal"] == ">= 0.9"
    assert goals["sqlite_paced_p99_over_floor_p99"]["figure"] == paced["p99_over_floor_p99"]
    assert goals["sqlite_paced_p99_over_floor_p99"]["goal"] == "<= 3"
    for entry in goals.values():
        assert isinstance(entry["pass"], bool)
    assert goals["sqlite_commands_per_s"]["pass"] == (throughput["commands_per_s"] >= 1000)


HUB_BENCH = REPO_ROOT / "bench" / "hub_roundtrip.py"
HUB_GOALS = {"day_commands_per_s": ">= 1500", "day_last_quarter_over_first": ">= 0.9",
             "paced_reply_p99_over_floor_p99": "<= 3",
             "paced_board_p99_minus_reply_p99_ms": "<= 5", "rss_after_day_mb": "<= 200"}


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_hub_roundtrip_bench_quick_sqlite(tmp_path: Path) -> None:
    """Given --quick --db sqlite, when the hub round-trip bench runs against a real
    Mosquitto, then stdout and hub_roundtrip.json hold the same JSON: every call_next of the
    day and of the paced phase answered ok, every call seen on the board, positive
    latencies, the process's memory, and the five goals each with its figure, its goal and
    a pass/fail that matches the figure."""
    document = run_quick_bench(HUB_BENCH, "hub_roundtrip", tmp_path, timeout=170)
    assert document["bench"] == "hub_roundtrip"

    sqlite = document["results"]["sqlite"]
    day, paced = sqlite["day"], sqlite["paced"]
    commands = document["settings"]["day_commands"]
    assert day["completed"] is True
    assert day["outcomes"] == {"ok": commands} and day["commands"] == commands
    assert day["command_to_board"]["n"] == commands
    assert len(day["commands_per_s_by_quarter"]) == 4
    assert day["tickets_issued_before"] == document["settings"]["tickets"]
    assert _positive(day["rss_after_day_mb"])
    for share in ("hub", "probe"):  # what one command costs the machine
        assert _positive(day[f"{share}_cpu_ms_per_command"]), share
    # The broker's, from /proc in clock ticks: a quick day may use less than one.
    assert day["broker_cpu_ms_per_command"] >= 0
    assert paced["outcomes"] == {"ok": paced["commands"]}
    assert paced["boards_missing"] == 0
    for figures in (day, paced):
        for key in ("command_to_reply", "command_to_board"):
            assert _positive(figures[key]["p99_ms"]), key
        # Every command changed the queue, so each phase wrote batches, at most one per
        # command, each taking part of its commands' reply time.
        commit = figures["hub_commit"]
        assert 0 < commit["n"] <= figures["commands"]
        assert 0 < commit["p50_ms"] <= commit["p99_ms"] <= commit["max_ms"]
        assert commit["p50_ms"] < figures["command_to_reply"]["p50_ms"]
    floor = sqlite["floor"]
    assert _positive(floor["p99_ms"])
    assert floor["p99_ms"] == round(
        floor["mqtt_echo"]["p99_ms"] + floor["durable_commit"]["p99_ms"], 3)
    # Half the samples before the day, half after the paced phase, pooled.
    assert [floor["mqtt_echo"][half]["n"] for half in ("before", "after")] == [
        document["settings"]["echo_rounds"] // 2] * 2
    assert [floor["durable_commit"][half]["n"] for half in ("before", "after")] == [
        document["settings"]["floor_commits"] // 2] * 2
    # The goal's floor is sampled at the paced phase's pace; the back-to-back one beside it.
    assert floor["interval_ms"] == round(1000 / document["settings"]["paced_rate_per_s"], 3)
    back_to_back = sqlite["floor_back_to_back"]
    assert back_to_back["interval_ms"] == 0
    assert back_to_back["p99_ms"] == round(
        back_to_back["mqtt_echo"]["p99_ms"] + back_to_back["durable_commit"]["p99_ms"], 3)
    reply_p99 = paced["command_to_reply"]["p99_ms"]
    assert paced["reply_p99_over_back_to_back_floor_p99"] == round(
        reply_p99 / back_to_back["p99_ms"], 2)

    goals = document["goals"]
    assert goals["sqlite_paced_reply_p99_over_floor_p99"]["figure"] == round(
        reply_p99 / floor["p99_ms"], 2)
    assert {name.removeprefix("sqlite_"): entry["goal"] for name, entry in goals.items()} \
        == HUB_GOALS
    assert goals["sqlite_day_commands_per_s"]["figure"] == day["commands_per_s"]
    assert goals["sqlite_rss_after_day_mb"]["figure"] == day["rss_after_day_mb"]
    assert goals["sqlite_rss_after_day_mb"]["pass"] == (day["rss_after_day_mb"] <= 200)
    assert all(isinstance(entry["pass"], bool) for entry in goals.values())


CEILING_BENCH = REPO_ROOT / "bench" / "mqtt_ceiling.py"


def test_null_hub_messages_are_the_hubs_valid_payloads_for_their_topics() -> None:
    """Given a batch of two call_next at counters 3 and 7, when the ceiling bench's null hub
    builds what it publishes, then it is the hub's set for them (reply, counter state and
    call event per command, then the board and the service's state), each payload valid
    for its topic's contract model, and the board shows the numbers the replies carry."""
    sys.path.insert(0, str(REPO_ROOT))
    from bench.mqtt_ceiling import COUNTERS, null_hub_messages
    from motcua import contract

    topics = contract.Topics("bench")
    calls = {n: 0 for n in range(1, COUNTERS + 1)}
    calls[3], calls[7] = 1, 2
    messages = null_hub_messages(topics, 5, [(3, "r3"), (7, "r7")], calls)

    assert [topic for topic, _ in messages] == [
        topics.counter_reply(3), topics.counter_state(3), topics.event_called(),
        topics.counter_reply(7), topics.counter_state(7), topics.event_called(),
        topics.board(), topics.service_state("dat-dai")]
    models = {contract.TopicKind.COUNTER_REPLY: contract.Reply,
              contract.TopicKind.COUNTER_STATE: contract.CounterState,
              contract.TopicKind.EVENT_CALLED: contract.CalledEvent,
              contract.TopicKind.BOARD: contract.Board,
              contract.TopicKind.SERVICE_STATE: contract.ServiceState}
    parsed = [models[topics.parse(topic).kind].model_validate_json(payload)
              for topic, payload in messages]
    replies = [parsed[0], parsed[3]]
    assert [(reply.id, reply.ticket.number) for reply in replies] == [
        ("r3", "A0053"), ("r7", "A0107")]
    board = parsed[6]
    shown = {entry.counter: entry.ticket for entry in board.counters}
    assert len(shown) == COUNTERS and (shown[3], shown[7], shown[1]) == ("A0053", "A0107", None)
    assert [call.ticket for call in board.recent] == ["A0107", "A0053"]
    assert {message.seq for message in parsed if hasattr(message, "seq")} == {5}


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_mqtt_ceiling_bench_quick(tmp_path: Path) -> None:
    """Given --quick, when the ceiling bench runs the null hub against a real Mosquitto,
    then stdout and mqtt_ceiling.json hold the same JSON: every call_next of the day and
    the paced phase answered ok and seen on the board, the CPU one command costs each
    process, and the bounds computed from those figures."""
    document = run_quick_bench(CEILING_BENCH, "mqtt_ceiling", tmp_path, timeout=110)
    assert document["bench"] == "mqtt_ceiling" and document["goals"] == {}

    results = document["results"]
    day, paced = results["day"], results["paced"]
    commands = document["settings"]["day_commands"]
    assert day["completed"] is True
    assert day["outcomes"] == {"ok": commands} and day["command_to_board"]["n"] == commands
    assert day["mean_batch_size"] >= 1
    assert paced["outcomes"] == {"ok": paced["commands"]} and paced["boards_missing"] == 0
    assert results["mqtt_echo"]["n"] == document["settings"]["echo_rounds"]
    for share in ("null_hub", "probe"):
        assert _positive(day[f"{share}_cpu_ms_per_command"]), share
    assert day["broker_cpu_ms_per_command"] >= 0

    bounds = results["bounds"]
    machine = round(day["null_hub_cpu_ms_per_command"] + day["probe_cpu_ms_per_command"]
                    + day["broker_cpu_ms_per_command"], 3)
    cores = document["machine"]["cpu_count"]
    assert bounds == {
        "hub_goal_commands_per_s": 1500.0,
        "null_hub_commands_per_s_over_goal": round(day["commands_per_s"] / 1500.0, 3),
        "machine_cpu_ms_per_command_without_work": machine,
        "cpu_ms_per_command_at_goal_rate_all_cores": round(cores * 1000 / 1500.0, 3),
        "cpu_ms_left_per_command_for_work_at_goal_rate": round(
            cores * 1000 / 1500.0 - machine, 3),
    }


def test_floor_samples_taken_at_a_pace_are_spread_over_the_interval(tmp_path: Path) -> None:
    """Given an interval of 20 ms, when the commit floor takes 5 samples after 2 warm-up
    commits, then the seventh commit starts no earlier than 6 intervals after the first
    (the floor of a paced measurement is sampled at its pace); back to back it takes far
    less than that."""
    sys.path.insert(0, str(REPO_ROOT))
    import time

    from bench import _common as common

    url = f"sqlite:///{tmp_path / 'floor.db'}"
    started = time.perf_counter()
    samples = common.commit_floor_samples(url, 5, warmup=2, interval_s=0.02)
    paced_s = time.perf_counter() - started
    assert len(samples) == 5 and all(sample > 0 for sample in samples)
    assert paced_s >= 6 * 0.02
    started = time.perf_counter()
    common.commit_floor_samples(url, 5, warmup=2)
    assert time.perf_counter() - started < paced_s


def test_cpu_by_quarter_is_each_quarters_cpu_over_its_commands() -> None:
    """Given 8 completions whose CPU clock (read by threads in any order) ends each
    quarter at 0.3, 0.5, 0.9 and 1.3 s after a start at 0.1 s, then each quarter's figure
    is its CPU over its 2 commands, in µs; fewer than 4 completions give no quarters."""
    sys.path.insert(0, str(REPO_ROOT))
    from bench import _common as common

    completions = [(1.0, 0.2), (2.0, 0.3), (3.0, 0.5), (4.0, 0.4),
                   (6.0, 0.9), (5.0, 0.7), (7.0, 1.1), (8.0, 1.3)]
    assert common.cpu_by_quarter(completions, 0.1) == [100_000.0, 100_000.0, 200_000.0,
                                                       200_000.0]
    assert common.cpu_by_quarter(completions[:3], 0.1) == []


def test_dispatch_work_day_commits_batches_of_exactly_the_set_size(tmp_path: Path) -> None:
    """Given the work bench's quick day (400 issues, batches of 25), when it runs without
    callgrind, then every batch the writer committed held exactly 25 commands and the
    quarter marks came after the warm-up and after each quarter, in order."""
    sys.path.insert(0, str(REPO_ROOT))
    from bench import dispatch_work

    marks: list[int] = []
    sizes = dispatch_work.run_day(f"sqlite:///{tmp_path / 'work.db'}",
                                  dispatch_work.SETTINGS["quick"], marks.append)
    assert sizes == [25] * 16
    assert marks == [0, 1, 2, 3, 4]


CALLGRIND_PART_1 = """# callgrind format
version: 1
positions: line
events: Ir

desc: Trigger: dump q1

ob=(1) /usr/lib/libpython3.so
fn=(1) issue
0 300
cfn=(2) commit
calls=2 0
0 900
fn=(2) commit
+2 500
-1 100
"""

CALLGRIND_PART_2 = """# callgrind format
version: 1
positions: line
events: Ir

desc: Trigger: dump q4

fn=(1)
0 300
cfn=(2)
calls=2 0
0 1200
fn=(2)
* 800
fn=(3) gc_collect
0 100
ob=(2) /usr/lib/libsqlite3.so.0
fn=(4) 0x00000000000ff650
0 40
"""


def test_callgrind_dumps_are_read_as_self_costs_with_names_from_earlier_parts(
        tmp_path: Path) -> None:
    """Given two callgrind parts where the second names its functions only by id (as
    callgrind compresses them), then each part's self costs are per function name (one
    known only by its address named with its library), the
    inclusive cost after ``calls=`` is not counted, and the quarter figures follow: with
    4 commands per quarter, q1 = 900/4 = 225 and q4 = 1200/4 = 300 instructions per
    command, a rate ratio of 0.75, commit and gc_collect grown by 50 and 25 per command."""
    sys.path.insert(0, str(REPO_ROOT))
    from bench import dispatch_work

    (tmp_path / "callgrind.out.1").write_text(CALLGRIND_PART_1)
    (tmp_path / "callgrind.out.2").write_text(CALLGRIND_PART_2)
    (tmp_path / "callgrind.out").write_text("")  # the final dump: not a numbered part
    files = dispatch_work.dump_files(tmp_path, "callgrind.out")
    assert [f.name for f in files] == ["callgrind.out.1", "callgrind.out.2"]
    dumps = dispatch_work.read_dumps(files)
    assert dumps == [("dump q1", {"issue": 300, "commit": 600}),
                     ("dump q4", {"issue": 300, "commit": 800, "gc_collect": 100,
                                  "0x00000000000ff650 (libsqlite3.so.0)": 40})]
    del dumps[1][1]["0x00000000000ff650 (libsqlite3.so.0)"]
    quarters = {"dump q1": dumps[0][1], "dump q2": dumps[0][1], "dump q3": dumps[1][1],
                "dump q4": dumps[1][1]}
    figures = dispatch_work.quarter_figures(list(quarters.items()), 16)
    assert figures["instructions_per_command_by_quarter"] == [225, 225, 300, 300]
    assert figures["work_rate_last_quarter_over_first"] == 0.75
    assert figures["grew_most"] == [
        {"function": "commit", "instructions_per_command_q1": 150, "growth_per_command": 50},
        {"function": "gc_collect", "instructions_per_command_q1": 0, "growth_per_command": 25}]
    with pytest.raises(ValueError, match="q2, q3"):
        dispatch_work.quarter_figures([("dump q1", {}), ("dump q4", {})], 16)
