"""The catalog size bench runs end to end (quick mode) and reports its figures and goals."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.test_bench_smoke import REPO_ROOT, run_quick_bench

BENCH = REPO_ROOT / "bench" / "catalog_size.py"


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_catalog_size_bench_quick(tmp_path: Path) -> None:
    """Given --quick, when the bench runs, then it measures the 43-procedure demo catalog
    and 50-procedure synthetic ones, whose JSON grows with their documents, and reports
    both goals."""
    document = run_quick_bench(BENCH, "catalog_size", tmp_path, timeout=100)

    results = document["results"]
    assert results["demo"]["procedures"] == 43
    assert results["typical"]["procedures"] == results["heavy"]["procedures"] == 50
    assert 0 < results["typical"]["json_bytes"] < results["heavy"]["json_bytes"]
    assert results["typical"]["search"]["key_presses"] == 79
    assert set(document["goals"]) == {"retained catalog of 50 (typical), bytes",
                                      "search per key press over 50, p99 ms"}
