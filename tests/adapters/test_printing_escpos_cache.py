"""python-escpos's capabilities cache, shared by every motcua process of a user."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
PROCESSES = 6


def test_processes_importing_the_printer_together_on_a_fresh_cache_all_start(
        tmp_path: Path) -> None:
    """Given an empty cache directory, when six processes import ``kiosk.printing`` at
    the same moment (a fresh install's first ``make run``, or the test workers), then
    every one of them starts: escpos writes its capabilities pickle in place while it
    parses the JSON, and a process that read the half-written file failed with EOFError
    before the import was serialised; the pickle is left whole for the next start."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("ESCPOS_CAPABILITIES_PICKLE_DIR", None)
    go = tmp_path / "go"
    # Each process waits for the same file before importing, so the imports overlap.
    script = ("import os, time\n"
              f"while not os.path.exists({str(go)!r}): time.sleep(0.005)\n"
              "import kiosk.printing\n")
    children = [subprocess.Popen([sys.executable, "-c", script], cwd=REPO_ROOT, env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for _ in range(PROCESSES)]
    go.write_text("")
    outcomes = [(child.wait(60), child.stderr.read()) for child in children]
    for child in children:
        child.stdout.close()
        child.stderr.close()
    assert [code for code, _ in outcomes] == [0] * PROCESSES, [err for _, err in outcomes]
    pickles = list((tmp_path / "cache" / "motcua" / "escpos").glob("*.capabilities.pickle"))
    assert len(pickles) == 1 and pickles[0].stat().st_size > 10_000
