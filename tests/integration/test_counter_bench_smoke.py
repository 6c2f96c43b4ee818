"""The counter press bench runs end to end (quick mode) and reports sane figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.test_bench_smoke import run_quick_bench

REPO_ROOT = Path(__file__).resolve().parents[2]
BENCH = REPO_ROOT / "bench" / "counter_press.py"


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_counter_press_bench_quick(tmp_path: Path) -> None:
    """Given --quick, when the bench runs, then stdout and counter_press.json hold the same
    JSON: every press got its number on its sign (one command each, none missing), the
    latencies are ordered and positive next to the broker floor, and both goals are
    reported as booleans."""
    document = run_quick_bench(BENCH, "counter_press", tmp_path, timeout=160)
    assert document["bench"] == "counter_press"
    assert (document["settings"]["quick"], document["settings"]["counters"]) == (True, 50)
    figures = document["results"]["sqlite"]
    presses = document["settings"]["presses"]
    assert (figures["signs_missing"], figures["commands_sent"]) == (0, presses)
    latency = figures["press_to_sign"]
    assert latency["n"] == presses
    assert 0 < latency["p50_ms"] <= latency["p99_ms"] <= latency["max_ms"]
    floor = figures["floor"]
    echo, commit = floor["mqtt_echo"], floor["durable_commit"]
    assert 0 < echo["p99_ms"] < floor["p99_ms"]
    assert floor["p99_ms"] == round(echo["p99_ms"] + commit["p99_ms"], 3)
    settings = document["settings"]
    # Half the samples before the presses, half after, pooled.
    assert (echo["before"]["n"], echo["after"]["n"], echo["n"]) == (
        settings["echo_rounds"] // 2, settings["echo_rounds"] // 2,
        2 * (settings["echo_rounds"] // 2))
    assert (commit["before"]["n"], commit["after"]["n"], commit["n"]) == (
        settings["floor_commits"] // 2, settings["floor_commits"] // 2,
        2 * (settings["floor_commits"] // 2))
    # The goal's floor is sampled at the presses' pace; the back-to-back one beside it.
    assert floor["interval_ms"] == round(1000 / settings["rate_per_s"], 3)
    back_to_back = figures["floor_back_to_back"]
    assert back_to_back["interval_ms"] == 0
    assert back_to_back["mqtt_echo"]["n"] == echo["n"]
    assert back_to_back["durable_commit"]["n"] == commit["n"]
    assert figures["p99_over_back_to_back_floor_p99"] == round(
        latency["p99_ms"] / back_to_back["p99_ms"], 2)
    assert document["goals"]["sqlite_press_to_sign_p99_over_floor_p99"]["figure"] == round(
        latency["p99_ms"] / floor["p99_ms"], 2)
    assert set(document["goals"]) == {"sqlite_press_to_sign_p99_ms",
                                      "sqlite_press_to_sign_p99_over_floor_p99"}
    for entry in document["goals"].values():
        assert isinstance(entry["pass"], bool)
