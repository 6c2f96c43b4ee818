"""The clerk panel bench runs end to end in quick mode and reports sane figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.test_bench_smoke import run_quick_bench

REPO_ROOT = Path(__file__).resolve().parents[2]
BENCH = REPO_ROOT / "bench" / "clerk_panel.py"


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_clerk_panel_bench_quick(tmp_path: Path) -> None:
    """Given --quick, when the bench runs (hub, Mosquitto, Chromium), then stdout and
    clerk_panel.json hold the same JSON: 10 clicks timed, each one calling a new number,
    p50 <= p99, and the goals reported as booleans."""
    document = run_quick_bench(BENCH, "clerk_panel", tmp_path, timeout=160)

    assert document["bench"] == "clerk_panel"
    assert document["settings"]["quick"] is True
    latency = document["results"]["click_to_panel_updated"]
    assert latency["n"] == document["settings"]["clicks"] == 10
    assert 0 < latency["p50_ms"] <= latency["p99_ms"] <= latency["max_ms"]
    assert document["results"]["distinct_numbers"] == 10
    assert document["goals"]["every_click_called_a_new_number"]["pass"] is True
    assert all(isinstance(entry["pass"], bool) for entry in document["goals"].values())
