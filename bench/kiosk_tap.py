"""Kiosk taps through the real chain: page API → kiosk process → Mosquitto → hub → printer.

A real ``motcua kiosk`` process (dummy printer writing ``{number}.bin`` and ``.png``) talks
to a real Mosquitto and a real hub (SQLite). Each tap is the touch page's own request,
``POST /api/issue``; it returns once the ticket's bytes are written, so its duration is
tap → ticket bytes written (the transfer to a real printer is excluded: the dummy
transport writes a file). Taps are one at a time, as at one kiosk. Then the kiosk
process's resident memory is read from ``/proc``.

Goals (issue 8): tap → bytes p99 ≤ 150 ms on loopback; kiosk resident memory ≤ 80 MB.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from bench import _common as common  # noqa: E402
from motcua.hub import Hub  # noqa: E402
from motcua.hub_config import HubConfig  # noqa: E402
from motcua.site_config import example_config_path  # noqa: E402
from motcua.up.demo import demo_site_text  # noqa: E402
from tests.support.mosquitto import MosquittoBroker  # noqa: E402
from tests.support.ports import free_port  # noqa: E402

NAME = "kiosk_tap"
SETTINGS = {"full": {"taps": 300, "warmup": 10}, "quick": {"taps": 20, "warmup": 2}}
#: Spread over services so no daily cap is reached.
SERVICES = ("dat-dai", "dang-ky-kinh-doanh", "ho-tich", "chung-thuc", "lao-dong-tbxh",
            "xay-dung")


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return json.loads(answer.read())


def tap(port: int, service: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/issue", method="POST",
        data=json.dumps({"tap_id": str(uuid.uuid4()), "service": service,
                         "priority": "normal"}).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=40) as answer:
        return json.loads(answer.read())


def wait_online(port: int, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if get_json(f"http://127.0.0.1:{port}/api/view")["online"]:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the kiosk did not come online")


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError("no VmRSS")


def start_kiosk(broker_url: str, port: int, tickets: Path, log_path: Path) -> subprocess.Popen:
    env = {**os.environ, "MOTCUA_MQTT_URL": broker_url, "MOTCUA_KIOSK_HTTP_PORT": str(port),
           "MOTCUA_PRINTER": "dummy", "MOTCUA_SITE": "van-lam", "MOTCUA_KIOSK_ID": "1"}
    config = tickets.parent / "kiosk.toml"
    config.write_text(f'[printer]\nprofile = "generic-80mm"\noutput_dir = "{tickets.as_posix()}"\n',
                      encoding="utf-8")
    log = log_path.open("wb")
    return subprocess.Popen([sys.executable, "-m", "motcua.cli", "kiosk", "--config", str(config)],
                            cwd=common.REPO_ROOT, env=env, stdin=subprocess.DEVNULL,
                            stdout=log, stderr=subprocess.STDOUT)


def measure(settings: dict) -> dict:
    with tempfile.TemporaryDirectory(prefix="motcua-bench-kiosk-") as directory, \
            MosquittoBroker(packet_log=False) as broker:
        work = Path(directory)
        tickets = work / "tickets"
        # The demo's all-day session: the bench issues whatever the hour and weekday.
        site = work / "site.toml"
        site.write_text(demo_site_text(example_config_path().read_text(encoding="utf-8")),
                        encoding="utf-8")
        config = HubConfig(db_url=f"sqlite:///{work / 'hub.db'}", mqtt_url=broker.url(),
                           site_config=site, http_port=0, kiosk_issue_per_minute=0)
        hub = Hub(config, serve_http=False).start()
        port = free_port()
        kiosk = start_kiosk(broker.url(), port, tickets, work / "kiosk.log")
        try:
            common.progress("waiting for the kiosk to come online")
            wait_online(port)
            for index in range(settings["warmup"]):
                tap(port, SERVICES[index % len(SERVICES)])
            common.progress(f"{settings['taps']} taps, one at a time")
            durations, refused, not_printed = [], 0, 0
            for index in range(settings["taps"]):
                started = time.perf_counter()
                outcome = tap(port, SERVICES[index % len(SERVICES)])
                durations.append(time.perf_counter() - started)
                if not outcome["ok"]:
                    refused += 1
                elif not outcome["printed"] or not (tickets / f"{outcome['ticket']['number']}.bin").exists():
                    not_printed += 1
            rss = resident_mb(kiosk.pid)
            sizes = [path.stat().st_size for path in tickets.glob("*.bin")]
        finally:
            kiosk.terminate()
            kiosk.wait(10)
            hub.stop()
    latency = common.latency_summary(durations)
    return {
        "tap_to_ticket_bytes": latency,
        "refused": refused,
        "not_printed": not_printed,
        "kiosk_rss_mb": rss,
        "ticket_bytes_max": max(sizes) if sizes else None,
        "goals": {
            "tap_to_bytes_p99_ms": common.goal(latency["p99_ms"], "<=", 150),
            "kiosk_rss_mb": common.goal(rss, "<=", 80),
            "every_tap_printed": common.goal(refused + not_printed, "<=", 0),
        },
    }


def main() -> int:
    return common.run_single_database(NAME, __doc__.splitlines()[0], SETTINGS, measure)


if __name__ == "__main__":
    sys.exit(main())
