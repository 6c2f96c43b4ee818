"""`motcua up` end to end: real mosquitto + hub children, a kiosk, a counter, a display."""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from motcua.broker import load_credentials
from tests.support.mosquitto_fixtures import _require_mosquitto
from tests.support.mqtt_probe import MqttProbe
from tests.support.ports import free_port

ROOT = "motcua/v1/van-lam"
PROJECT = Path(__file__).resolve().parents[2]
READY = "motcua is ready"


@pytest.fixture
def var_dir(tmp_path):
    # pytest's tmp_path sits under a 0700 directory: a root-started mosquitto, which runs
    # as user mosquitto, cannot enter it, so the demo must not need it to.
    var = tmp_path / "var"
    var.mkdir()
    return var


@pytest.fixture
def private_clone():
    """A copy of the project in a fresh 0700 directory, as a clone in root's home."""
    top = Path(tempfile.mkdtemp(prefix="motcua-clone-"))
    top.chmod(0o700)
    clone = top / "motcua"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in ("motcua", "broker_config", "counter_panel", "kiosk", "printer_profiles",
                    "display", "sounds"):
        shutil.copytree(PROJECT / package, clone / package, ignore=ignore)
    yield clone
    shutil.rmtree(top, ignore_errors=True)


def start_up(cwd: Path, *options: str) -> subprocess.Popen:
    """``motcua up --no-counter`` run from ``cwd`` (its own package copy comes first on
    the path), stdin closed, output piped."""
    return subprocess.Popen(
        [sys.executable, "-m", "motcua.cli", "up", "--no-counter", *options], cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(cwd)},
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def interrupt(process: subprocess.Popen) -> int:
    """Ctrl-C ``process``; its exit status (killed, and the test failed, after 10 s)."""
    process.send_signal(signal.SIGINT)
    try:
        return process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        raise


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


def http_session() -> urllib.request.OpenerDirector:
    """A browser-like client keeping cookies (the panel's session)."""
    import http.cookiejar

    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def kiosk_issue(kiosk_port: int, service: str, tap_id: str) -> dict:
    """Tap ``service`` on the kiosk's touch page, as its JavaScript does."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{kiosk_port}/api/issue", method="POST",
        data=json.dumps({"tap_id": tap_id, "service": service, "priority": "normal"}).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=40) as answer:
        return json.loads(answer.read())


def kiosk_post(kiosk_port: int, path: str, body: dict) -> dict:
    """POST ``body`` to the kiosk page's API, as its JavaScript does."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{kiosk_port}{path}", method="POST", data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=40) as answer:
        return json.loads(answer.read())


def wait_kiosk_online(kiosk_port: int, timeout_s: float = 15) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"http://127.0.0.1:{kiosk_port}/api/view", timeout=5) as view:
            if json.loads(view.read())["online"]:
                return
        time.sleep(0.1)
    raise AssertionError("the demo kiosk did not come online")


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
    when a citizen taps đất đai on the demo kiosk's page and counter 1 opens and calls next,
    then the kiosk answers A001 and its dummy printer wrote var/tickets/A001.bin and .png,
    the counter gets A001 called, the demo display speaks it into var/announcements, a new
    subscriber sees counter 1 showing A001 on the board, NEXT on the simulated box of
    counter 2 calls B001; the printed ready demo dossier typed on the kiosk shows its
    timeline and takes return number K001; and SIGINT stops everything."""
    _require_mosquitto()
    mqtt_port, http_port, kiosk_port = free_port(), free_port(), free_port()
    process = start_up(PROJECT, "--var", str(var_dir), "--mqtt-port", str(mqtt_port),
                       "--http-port", str(http_port), "--kiosk-port", str(kiosk_port))
    probes: list[MqttProbe] = []
    try:
        output = wait_for_line(process, "Ctrl-C stops everything", 40)
        assert any(READY in line for line in output)
        assert any("around the clock" in line for line in output)
        assert any(f"http://127.0.0.1:{kiosk_port}/" in line for line in output)
        panel = next(line for line in output if f"/counter/1 (log in as canbo1 / " in line)
        clerk_password = panel.rsplit("canbo1 / ", 1)[1].rstrip(")\n")
        pids = child_pids(var_dir)
        assert set(pids) == {"mosquitto", "hub", "kiosk", "display", "counter-box"}
        assert (var_dir / "display.png").read_bytes().startswith(b"\x89PNG")
        passwords = load_credentials(var_dir / "broker" / "credentials.toml")

        def device(user: str) -> MqttProbe:
            probe = MqttProbe(f"mqtt://{user}:{passwords[user]}@127.0.0.1:{mqtt_port}")
            probes.append(probe)
            return probe

        wait_kiosk_online(kiosk_port)
        issued = kiosk_issue(kiosk_port, "dat-dai", "tap-demo-1")
        assert (issued["ok"], issued["printed"], issued["ticket"]["number"]) == (
            True, True, "A001"), issued
        assert issued["ticket_url"] == f"http://127.0.0.1:{http_port}/t/{issued['ticket']['id']}"
        ticket_bytes = (var_dir / "tickets" / "A001.bin").read_bytes()
        assert ticket_bytes.startswith(b"\x1b@") and len(ticket_bytes) > 100
        assert (var_dir / "tickets" / "A001.png").read_bytes().startswith(b"\x89PNG")

        counter = device("counter1")
        counter.subscribe(f"{ROOT}/counter/1/reply")
        assert counter.request(f"{ROOT}/counter/1/cmd", {"action": "open", "clerk": "Lan"})["ok"]
        called = counter.request(f"{ROOT}/counter/1/cmd", {"action": "call_next"})
        assert (called["ticket"]["number"], called["ticket"]["status"]) == ("A001", "called")

        deadline = time.monotonic() + 20
        while not list((var_dir / "announcements").glob("*.wav")):
            assert time.monotonic() < deadline, "the demo display spoke no WAV for A001"
            time.sleep(0.2)

        display = device("monitor")
        display.subscribe(f"{ROOT}/board")
        board = json.loads(display.wait_for(
            f"{ROOT}/board", 5,
            lambda b: any(c["counter"] == 1 and c["ticket"] == "A001" for c in b["counters"]),
        ).payload)
        assert board["counters"][0]["counter"] == 1

        # The simulated box of counter 2 (clerk logged in at start): NEXT calls B001.
        assert kiosk_issue(kiosk_port, "dang-ky-kinh-doanh", "tap-demo-2")["ticket"]["number"] \
            == "B001"
        (var_dir / "counter" / "keys").write_text("NEXT\n")
        display.wait_for(f"{ROOT}/board", 10, lambda b: any(
            c["counter"] == 2 and c["ticket"] == "B001" for c in b["counters"]))

        # The printed demo login opens the clerk panel.
        session = http_session()
        login_page = session.open(f"http://127.0.0.1:{http_port}/counter/login").read().decode()
        token = login_page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        form = urllib.parse.urlencode({"csrf_token": token, "username": "canbo1",
                                       "password": clerk_password}).encode()
        with session.open(f"http://127.0.0.1:{http_port}/counter/login", data=form) as answer:
            assert answer.url.endswith("/counter/1") and "canbo1" not in answer.url

        # The printed demo dossiers: the ready one, typed on the kiosk, shows its timeline
        # and takes a return-of-results number.
        codes = [line.split()[0] for line in output if "ready: take a return number" in line]
        assert len(codes) == 1, output
        found = kiosk_post(kiosk_port, "/api/lookup", {"request_id": "demo-lookup-1",
                                                       "code": codes[0]})
        assert found["ok"] and found["dossier"]["code"] == codes[0], found
        assert found["dossier"]["timeline"][-1]["stage"] == "ready"
        returned = kiosk_post(kiosk_port, "/api/issue", {
            "tap_id": "tap-demo-3", "service": found["dossier"]["return_service"],
            "priority": "normal", "dossier": codes[0]})
        assert (returned["ok"], returned["ticket"]["number"]) == (True, "K001"), returned
        assert codes[0].encode() in (var_dir / "tickets" / "K001.bin").read_bytes()
    finally:
        for probe in probes:
            probe.close()
        returncode = interrupt(process)
    assert returncode == 0, process.stdout.read()
    assert not any(alive(pid) for pid in pids.values()), pids
    assert child_pids(var_dir) == {}


def broker_config_of(pid: int) -> Path:
    """The ``-c`` file of the mosquitto process ``pid``."""
    argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    return Path(argv[argv.index(b"-c") + 1].decode())


def test_up_starts_from_a_clone_the_broker_user_cannot_enter(private_clone):
    """Given the project copied into a 0700 directory (a clone in root's home),
    when `motcua up` runs there with its default var/,
    then mosquitto (as user mosquitto when started by root) reads its files from a 0750
    runtime directory outside the clone, kiosk 1 gets A001 from the hub, /healthz is 200,
    and Ctrl-C stops everything and removes that directory."""
    _require_mosquitto()
    mqtt_port, http_port, kiosk_port = free_port(), free_port(), free_port()
    var = private_clone / "var"
    process = start_up(private_clone, "--mqtt-port", str(mqtt_port),
                       "--http-port", str(http_port), "--kiosk-port", str(kiosk_port))
    try:
        wait_for_line(process, READY, 40)
        pids = child_pids(var)
        assert set(pids) == {"mosquitto", "hub", "kiosk", "display", "counter-box"}
        broker_dir = broker_config_of(pids["mosquitto"]).parent
        assert broker_dir.name.startswith("motcua-broker-")
        assert private_clone not in broker_dir.parents
        assert stat.S_IMODE(broker_dir.stat().st_mode) == 0o750
        if os.geteuid() == 0:
            status = Path(f"/proc/{pids['mosquitto']}/status").read_text()
            uid = next(line.split()[1] for line in status.splitlines()
                       if line.startswith("Uid:"))
            assert int(uid) == pwd.getpwnam("mosquitto").pw_uid
        wait_kiosk_online(kiosk_port)
        issued = kiosk_issue(kiosk_port, "dat-dai", "tap-clone-1")
        assert (issued["ok"], issued["ticket"]["number"]) == (True, "A001"), issued
        assert (var / "tickets" / "A001.bin").exists()
        with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/healthz", timeout=5) as answer:
            assert answer.status == 200
    finally:
        returncode = interrupt(process)
    assert returncode == 0, process.stdout.read()
    assert not any(alive(pid) for pid in pids.values()), pids
    assert not broker_dir.exists()
    assert child_pids(var) == {}
    assert not (var / "run" / "broker.dir").exists()


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
    from motcua.up.leftovers import clear_leftovers

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


def test_the_broker_directory_of_a_hard_killed_run_is_removed_but_nothing_else(var_dir):
    """Given a note of an earlier run naming its broker directory, then a note naming a
    directory that is not one of ours,
    when leftovers are cleared each time, then the first is removed, the second is kept,
    and both notes are gone."""
    from motcua.up import broker_runtime
    from motcua.up.leftovers import clear_leftovers

    run = var_dir / "run"
    left = broker_runtime.create(run)
    (left / "passwd").write_text("hub:$7$hash\n")
    stranger = Path(tempfile.mkdtemp(prefix="not-motcua-"))
    try:
        assert clear_leftovers(run) == []
        assert not left.exists()
        assert not (run / "broker.dir").exists()

        (run / "broker.dir").write_text(f"{stranger}\n")
        clear_leftovers(run)
        assert stranger.is_dir()
        assert not (run / "broker.dir").exists()
    finally:
        shutil.rmtree(stranger, ignore_errors=True)
        shutil.rmtree(left, ignore_errors=True)
