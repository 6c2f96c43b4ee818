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


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_dispatch_bench_quick_sqlite(tmp_path: Path) -> None:
    """Given --quick --db sqlite, when the bench runs, then stdout and dispatch.json hold the
    same JSON with floor, throughput and paced figures, all commands succeeded, and goals
    are reported as booleans."""
    env = {**os.environ, "BENCH_RESULTS_DIR": str(tmp_path / "results")}
    completed = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--db", "sqlite"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=100,
        stdin=subprocess.DEVNULL, check=False,
    )
    assert completed.returncode == 0, completed.stderr

    document = json.loads(completed.stdout)
    written = json.loads((tmp_path / "results" / "dispatch.json").read_text(encoding="utf-8"))
    assert written == document

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
    assert _positive(paced["p99_over_floor_p99"])

    goals = document["goals"]
    assert set(goals) == {"sqlite_commands_per_s_ge_1000", "sqlite_paced_p99_le_3x_floor_p99"}
    assert all(isinstance(value, bool) for value in goals.values())
