"""The ticket print bench runs end to end (quick mode) and reports sane figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.test_bench_smoke import REPO_ROOT, run_quick_bench

BENCH = REPO_ROOT / "bench" / "ticket_print.py"
PROFILES = ("epson-tm-t20", "epson-tm-t88v", "generic-58mm", "generic-80mm", "xprinter-xp80")


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_ticket_print_bench_quick(tmp_path: Path) -> None:
    """Given --quick, when the bench runs, then stdout and ticket_print.json hold the
    same JSON with, per shipped profile, positive render times (p50 ≤ p99), the sample
    ticket's bytes and their wire time at 9600 and 115200 baud (10 bits per byte), every
    ticket of the dummy printer written with a positive print time, and
    goals whose pass flags match their figures: render p99 ≤ 30 ms for every profile,
    ≤ 16 KB for the 80 mm ones only."""
    document = run_quick_bench(BENCH, "ticket_print", tmp_path, timeout=110)

    assert document["bench"] == "ticket_print"
    assert document["settings"]["quick"] is True
    results = document["results"]
    assert tuple(results) == PROFILES
    for name, figures in results.items():
        render = figures["render"]
        assert render["n"] == document["settings"]["iterations"]
        assert 0 < render["p50_ms"] <= render["p99_ms"], name
        size = figures["bytes_sample_ticket"]
        assert 1000 < size <= figures["bytes_max"]
        assert figures["wire_s"] == {"9600": pytest.approx(size / 960, abs=1e-3),
                                     "115200": pytest.approx(size / 11520, abs=1e-3)}

    dummy = document["dummy_print"]
    assert dummy["printed"] == document["settings"]["iterations"]
    assert 0 < dummy["print_ticket"]["p50_ms"] <= dummy["print_ticket"]["p99_ms"]

    goals = document["goals"]
    assert set(goals) == {f"{name}_render_p99_ms" for name in PROFILES} | {
        f"{name}_bytes_per_ticket" for name in PROFILES if name != "generic-58mm"}
    for name in PROFILES:
        entry = goals[f"{name}_render_p99_ms"]
        assert entry["figure"] == results[name]["render"]["p99_ms"]
        assert entry["goal"] == "<= 30"
        assert entry["pass"] == (entry["figure"] <= 30)
    entry = goals["generic-80mm_bytes_per_ticket"]
    assert entry["figure"] == results["generic-80mm"]["bytes_max"]
    assert (entry["goal"], entry["pass"]) == ("<= 16384", entry["figure"] <= 16384)
