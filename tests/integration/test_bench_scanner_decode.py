"""The scanner decode bench runs end to end (quick mode) and reports sane figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.test_bench_smoke import REPO_ROOT, run_quick_bench

BENCH = REPO_ROOT / "bench" / "scanner_decode.py"
KINDS = ("code128", "code128_tilted", "qr", "qr_tilted", "no_code")


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_scanner_decode_bench_quick(tmp_path: Path) -> None:
    """Given --quick, when the bench runs, then stdout and scanner_decode.json hold the
    same JSON with, per scan density and kind of 640×480 frame, positive decode times
    (p50 ≤ p99), every frame read right (the code, or nothing on an empty slip), and goals
    whose pass flags match their figures (density 2 median ≤ 15 ms)."""
    document = run_quick_bench(BENCH, "scanner_decode", tmp_path, timeout=110)

    assert document["bench"] == "scanner_decode"
    assert document["settings"]["frame_size"] == [640, 480]
    assert tuple(document["results"]) == ("density_2", "density_1")
    for density, kinds in document["results"].items():
        assert tuple(kinds) == KINDS
        for name, figures in kinds.items():
            decode = figures["decode"]
            assert decode["n"] == document["settings"]["iterations_per_kind"]
            assert 0 < decode["p50_ms"] <= decode["p99_ms"], name
            assert figures["misread_or_missed"] == 0, (density, name)
            assert document["goals"][f"{density}_{name}_all_read"]["pass"] is True
    for name, figures in document["results"]["density_2"].items():
        entry = document["goals"][f"{name}_median_ms"]
        assert entry["figure"] == figures["decode"]["p50_ms"]
        assert entry["pass"] is (figures["decode"]["p50_ms"] <= 15.0)
