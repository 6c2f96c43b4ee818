"""`motcua up` end to end: real mosquitto + hub children, a kiosk, a counter, a display."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from motcua.broker import load_credentials
from tests.support.mosquitto_fixtures import _require_mosquitto
from tests.support.mqtt_probe import MqttProbe
from tests.support.ports import free_port

ROOT = "motcua/v1/van-lam"
READY = "motcua is ready"


@pytest.fixture
def var_dir():
    # Not pytest's 0700 tmp_path: a root-started mosquitto runs as user mosquitto and
    # must be able to enter the directory.
    directory = Path(tempfile.mkdtemp(prefix="motcua-up-"))
    directory.chmod(0o755)
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


def wait_for_line(process: subprocess.Popen, text: str, timeout_s: float) -> list[str]:
    """Read ``process`` stdout until a line contains ``text``; return the lines read."""
    lines: list[str] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            raise AssertionError(f"motcua up exited early:\n{''.join(lines)}")
        lines.append(line)
        if text in line:
            return lines
    raise AssertionError(f"no {text!r} within {timeout_s} s:\n{''.join(lines)}")


def child_pids(var: Path) -> dict[str, int]:
    return {path.stem: int(path.read_text()) for path in (var / "run").glob("*.pid")}


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat").read_text() if Path(f"/proc/{pid}").exists() else ""
    return bool(stat) and stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_up_serves_kiosk_counter_and_display_then_stops_cleanly_on_ctrl_c(var_dir):
    """Given `motcua up --no-counter` on free ports with stdin closed,
    when kiosk 1 issues đất đai and counter 1 opens and calls next,
    then the kiosk gets A001, the counter gets A001 called, a new display subscriber sees
    counter 1 showing A001 on the board, and SIGINT stops everything with exit 0."""
    _require_mosquitto()
    mqtt_port, http_port = free_port(), free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "motcua.cli", "up", "--var", str(var_dir),
         "--mqtt-port", str(mqtt_port), "--http-port", str(http_port), "--no-counter"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    probes: list[MqttProbe] = []
    try:
        output = wait_for_line(process, READY, 30)
        assert any("around the clock" in line for line in output)
        pids = child_pids(var_dir)
        assert set(pids) == {"mosquitto", "hub"}
        passwords = load_credentials(var_dir / "broker" / "credentials.toml")

        def device(user: str) -> MqttProbe:
            probe = MqttProbe(f"mqtt://{user}:{passwords[user]}@127.0.0.1:{mqtt_port}")
            probes.append(probe)
            return probe

        kiosk = device("kiosk1")
        kiosk.subscribe(f"{ROOT}/kiosk/1/reply")
        issued = kiosk.request(f"{ROOT}/kiosk/1/cmd", {"action": "issue", "service": "dat-dai"})
        assert issued["ok"] is True, issued
        assert issued["ticket"]["number"] == "A001"

        counter = device("counter1")
        counter.subscribe(f"{ROOT}/counter/1/reply")
        assert counter.request(f"{ROOT}/counter/1/cmd", {"action": "open", "clerk": "Lan"})["ok"]
        called = counter.request(f"{ROOT}/counter/1/cmd", {"action": "call_next"})
        assert (called["ticket"]["number"], called["ticket"]["status"]) == ("A001", "called")

        display = device("display1")
        display.subscribe(f"{ROOT}/board")
        board = json.loads(display.wait_for(
            f"{ROOT}/board", 5,
            lambda b: any(c["counter"] == 1 and c["ticket"] == "A001" for c in b["counters"]),
        ).payload)
        assert board["counters"][0]["counter"] == 1
    finally:
        for probe in probes:
            probe.close()
        process.send_signal(signal.SIGINT)
        try:
            returncode = process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert returncode == 0, process.stdout.read()
    assert not any(alive(pid) for pid in pids.values()), pids
    assert child_pids(var_dir) == {}


def test_up_refuses_a_port_held_by_another_program(var_dir):
    """Given a stranger listening on the HTTP port,
    when `motcua up` starts, then it names the port and exits 1 without starting anything."""
    import socket

    with socket.socket() as stranger:
        stranger.bind(("127.0.0.1", 0))
        stranger.listen()
        busy = stranger.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "motcua.cli", "up", "--var", str(var_dir),
             "--mqtt-port", str(free_port()), "--http-port", str(busy), "--no-counter"],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert f"Port {busy}" in result.stderr
    assert child_pids(var_dir) == {}


def test_leftovers_of_a_hard_killed_run_are_stopped_but_strangers_are_not(var_dir):
    """Given pid files naming a live motcua process and a live unrelated one,
    when the next run clears leftovers, then only the motcua process is terminated."""
    from motcua.supervisor import clear_leftovers

    run = var_dir / "run"
    run.mkdir()
    ours = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "motcua"],
                            start_new_session=True)
    stranger = subprocess.Popen(["sleep", "60"])
    try:
        (run / "hub.pid").write_text(f"{ours.pid}\n")
        (run / "mosquitto.pid").write_text(f"{stranger.pid}\n")
        assert clear_leftovers(run) == [ours.pid]
        assert ours.wait(5) == -signal.SIGTERM
        assert stranger.poll() is None
        assert child_pids(var_dir) == {}
    finally:
        for process in (ours, stranger):
            process.kill()
            process.wait()
