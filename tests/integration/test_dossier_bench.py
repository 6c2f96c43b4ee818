"""The dossier import bench runs end to end (quick mode, SQLite) and reports its figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.test_bench_smoke import REPO_ROOT, run_quick_bench


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_dossier_import_bench_quick_sqlite(tmp_path: Path) -> None:
    """Given --quick --db sqlite, when the bench runs, then dossier_import.json holds 200
    dossiers and 1,000 events imported, all skipped the second time, a positive rate with
    its goal, and 50 lookups."""
    document = run_quick_bench(REPO_ROOT / "bench" / "dossier_import.py", "dossier_import",
                               tmp_path, timeout=110)
    sqlite = document["results"]["sqlite"]
    assert (sqlite["dossiers_added"], sqlite["events_added"]) == (200, 1000)
    assert sqlite["again_skipped"] == 1200
    assert sqlite["events_per_minute"] > 0 and sqlite["lookup"]["n"] == 50
    assert document["goals"]["sqlite_events_per_minute"]["goal"] == ">= 100000"
