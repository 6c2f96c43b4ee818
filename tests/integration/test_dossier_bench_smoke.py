"""The dossier lookup bench runs end to end (quick mode, SQLite) and reports its goal."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.test_bench_smoke import run_quick_bench

BENCH = Path(__file__).resolve().parents[2] / "bench" / "dossier_lookup.py"


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_dossier_lookup_bench_quick_sqlite(tmp_path: Path) -> None:
    """Given --quick --db sqlite,
    when the bench runs,
    then its JSON holds 500 stored dossiers, every closed-loop and paced lookup answered
    ok, positive latencies, and the p99 goal reported as a boolean per run."""
    document = run_quick_bench(BENCH, "dossier_lookup", tmp_path, timeout=160)

    sqlite = document["results"]["sqlite"]
    assert sqlite["dossiers"] == 500
    assert sqlite["closed"]["outcomes"] == {"ok": 60}
    assert sqlite["paced"]["outcomes"] == {"ok": 20}
    assert 0 < sqlite["closed"]["latency"]["p50_ms"] <= sqlite["closed"]["latency"]["p99_ms"]
    assert set(document["goals"]) == {"sqlite_closed_reply_p99_ms",
                                      "sqlite_paced_reply_p99_ms"}
    assert all(isinstance(goal["pass"], bool) for goal in document["goals"].values())
