"""The kiosk tap bench runs end to end (quick mode) and reports sane figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.test_bench_smoke import REPO_ROOT, run_quick_bench

BENCH = REPO_ROOT / "bench" / "kiosk_tap.py"


@pytest.mark.slow
@pytest.mark.timeout(150)
def test_kiosk_tap_bench_quick(tmp_path: Path) -> None:
    """Given --quick, when the bench runs a real kiosk process, broker and hub, then
    kiosk_tap.json holds 20 taps, every one issued and printed, positive latencies in
    order, the kiosk's resident memory, a ticket size, and goals whose pass flags match."""
    document = run_quick_bench(BENCH, "kiosk_tap", tmp_path, timeout=140)

    assert document["bench"] == "kiosk_tap"
    results = document["results"]
    latency = results["tap_to_ticket_bytes"]
    assert latency["n"] == 20
    assert 0 < latency["p50_ms"] <= latency["p99_ms"] <= latency["max_ms"]
    assert (results["refused"], results["not_printed"]) == (0, 0)
    assert 10 < results["kiosk_rss_mb"] < 1000
    assert 1000 < results["ticket_bytes_max"] <= 20_000
    goals = document["goals"]
    assert goals["tap_to_bytes_p99_ms"]["pass"] == (latency["p99_ms"] <= 150)
    assert goals["kiosk_rss_mb"]["pass"] == (results["kiosk_rss_mb"] <= 80)
    assert goals["every_tap_printed"] == {"figure": 0, "goal": "<= 0", "pass": True}
