"""The display bench runs end to end (quick mode) and reports its figures and goals."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.test_bench_smoke import REPO_ROOT, run_quick_bench

BENCH = REPO_ROOT / "bench" / "display.py"
GOALS = {"render_p99_ms": "<= 16", "call_to_frame_p99_ms": "<= 200",
         "idle_cpu_percent": "<= 5", "rss_mb": "<= 120"}


def _positive(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_display_bench_quick(tmp_path: Path) -> None:
    """Given --quick, when the display bench runs (headless, real Mosquitto and hub), then
    stdout and display.json hold the same JSON: 1920×1080 frames with 30 counters timed,
    every call seen in a frame, the idle process's CPU and memory, and the four goals each
    with its figure, its goal and a pass/fail that matches the figure."""
    document = run_quick_bench(BENCH, "display", tmp_path, timeout=170)
    assert document["bench"] == "display" and document["settings"]["quick"] is True
    results = document["results"]
    render, calls, idle = results["render"], results["call"], results["idle"]
    assert render["size"] == [1920, 1080] and render["counters"] == 30
    assert render["full_frame"]["n"] == document["settings"]["render_frames"]
    assert _positive(render["full_frame"]["p99_ms"]) and _positive(render["ticker_frame"]["p50_ms"])
    assert render["full_frame"]["p50_ms"] <= render["full_frame"]["p99_ms"]
    assert calls["missing"] == 0
    assert calls["call_to_frame"]["n"] == calls["calls"] == document["settings"]["calls"]
    assert calls["call_to_model"]["p50_ms"] <= calls["call_to_frame"]["p50_ms"]
    assert _positive(idle["rss_mb"]) and idle["cpu_percent_of_one_core"] >= 0
    goals = document["goals"]
    assert {name: entry["goal"] for name, entry in goals.items()} == GOALS
    assert goals["render_p99_ms"]["figure"] == render["full_frame"]["p99_ms"]
    assert goals["rss_mb"]["figure"] == idle["rss_mb"]
    assert goals["rss_mb"]["pass"] == (idle["rss_mb"] <= 120)
    assert all(isinstance(entry["pass"], bool) for entry in goals.values())
