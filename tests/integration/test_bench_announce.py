"""The announcer bench runs end to end (quick mode) and reports sane figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.test_bench_smoke import run_quick_bench

BENCH = Path(__file__).resolve().parents[2] / "bench" / "announce.py"


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_announce_bench_quick(tmp_path: Path) -> None:
    """Given --quick, when the announcer bench runs, then stdout and announce.json hold the
    same JSON: 20 calls played with positive latencies (p50 <= p99), the 51-clip library
    with none missing, the burst of 20 drained in order into 20 files, and the latency goal
    with a pass/fail matching its figure."""
    document = run_quick_bench(BENCH, "announce", tmp_path, timeout=110)
    assert document["bench"] == "announce"
    assert document["settings"]["quick"] is True

    library = document["library"]
    assert library["clips"] == 51 and library["missing"] == []
    assert 0 < library["size_kb"] < 400

    latency = document["results"]["latency"]
    assert latency["calls"] == 20 and latency["fallbacks"] == 0
    for key in ("call_to_first_sample", "assembly"):
        figures = latency[key]
        assert figures["n"] == 20
        assert 0 < figures["p50_ms"] <= figures["p99_ms"]

    burst = document["results"]["burst"]
    assert burst == {**burst, "calls": 20, "played": 20, "in_order": True, "files": 20}

    entry = document["goals"]["call_to_first_sample_p99_ms"]
    assert entry["goal"] == "<= 200"
    assert entry["figure"] == latency["call_to_first_sample"]["p99_ms"]
    assert entry["pass"] == (entry["figure"] <= 200)
