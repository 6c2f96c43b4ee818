"""Key press on a simulated counter box → number on its simulated sign, through the bridge,
a real Mosquitto and the real hub, with 50 counters active on one bus.

The hub runs in a child process of its own (``--hub``), as in a center it is another
machine's process: it must not share the bridge's GIL. This process runs the simulated
bus (50 boxes at addresses 1-50 on one pty) and the bridge (50 counters, each with its own
MQTT connection). Every latency is timed here, on one clock:

1. floor   - a raw MQTT echo round trip on the same broker and one durable commit on the
             same database, one of each every 50 ms (the presses' pace: ``_common.pace``
             says why), half the samples before the presses and half after, pooled
             (``hub_roundtrip.Floor``): the least a press can cost; the same back to back,
             reported beside it;
2. presses - NEXT pressed on the 50 boxes in turn, open loop at a steady rate; each press
             is timed from the key frame written on the pty to the sign showing the newly
             called number (BLINK with a number it did not show before).

Goals (reported, never enforced): press→sign p99 ≤ 50 ms; press→sign p99 ≤ 3 × floor p99
(echo p99 + commit p99).
Usage: ``python bench/counter_press.py [--quick]`` (``--db`` is accepted; SQLite only).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from bench import _common as common  # noqa: E402
from bench.hub_roundtrip import (  # noqa: E402
    COUNTERS, bench_setup, floor_summaries, paced_and_back_to_back_floors)
from tests.support.mosquitto import MosquittoBroker  # noqa: E402

NAME = "counter_press"
SETTINGS = {
    # The floor is paced like the presses (one every 50 ms): 700 samples take 35 s.
    "full": {"presses": 1000, "rate_per_s": 20.0, "echo_rounds": 400, "floor_commits": 300},
    "quick": {"presses": 100, "rate_per_s": 20.0, "echo_rounds": 50, "floor_commits": 40},
}
GOALS = {"press_to_sign_p99_ms": 50.0, "press_to_sign_p99_over_floor_p99": 3.0}


# --------------------------------------------------------------------------- hub child


def run_hub(broker_url: str, db_url: str, tickets: int) -> int:
    """The ``--hub`` process: a hub of 50 open counters and ``tickets`` waiting tickets;
    prints ``ready`` and runs until stdin closes."""
    from motcua.dispatch import Request
    from motcua.domain import Command
    from motcua.hub import Hub
    from motcua.hub_config import HubConfig

    config = HubConfig(db_url=db_url, mqtt_url=broker_url, http_port=0,
                       kiosk_issue_per_minute=0)
    hub = Hub(config, serve_http=False, setup=bench_setup()).start()
    try:
        futures = [hub.dispatcher.submit(Request(Command("issue", {"service": "dat-dai"}),
                                                 "kiosk/bench", f"t{i}"))
                   for i in range(tickets)]
        issued = sum(1 for future in futures if future.result(600).ok)
        for n in range(1, COUNTERS + 1):
            hub.dispatcher.execute(Request(Command("open", {"clerk": f"Cán bộ {n}"}, counter=n),
                                           f"counter/{n}", "open"))
        hub.publisher.flush(30)
        print(json.dumps({"ready": True, "issued": issued}), flush=True)
        sys.stdin.read()
    finally:
        hub.stop()
    return 0


class HubProcess:
    def __init__(self, broker: MosquittoBroker, db_url: str, tickets: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--hub", broker.url(), db_url, str(tickets)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=os.environ.copy())
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"hub process ended (status {self.process.wait()})")
        self.ready = json.loads(line)

    def close(self) -> None:
        try:
            self.process.stdin.close()
            self.process.wait(20)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()


# --------------------------------------------------------------------------- the presses


class SignTimer:
    """Times each press until its box's sign blinks a number it did not show before."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pending: dict[int, tuple[float, str]] = {}
        self.latencies: list[float] = []
        self.arrived = threading.Condition(self.lock)

    def pressed(self, address: int, previous: str) -> None:
        with self.lock:
            self.pending[address] = (time.perf_counter(), previous)

    def on_sign(self, address: int, view) -> None:
        now = time.perf_counter()
        with self.lock:
            pending = self.pending.get(address)
            if pending and view.mode == "blink" and view.text != pending[1]:
                del self.pending[address]
                self.latencies.append(now - pending[0])
                self.arrived.notify_all()

    def wait_all(self, timeout: float) -> int:
        """Wait until no press is pending; return how many still are after ``timeout``."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while self.pending and (remaining := deadline - time.monotonic()) > 0:
                self.arrived.wait(remaining)
            return len(self.pending)


def bridge_config(broker: MosquittoBroker, link: Path):
    from counter_panel.config import CounterConfig

    return CounterConfig.model_validate({
        "bridge": {"id": "bench", "site": "bench", "mqtt_url": broker.url()},
        "bus": {"serial": str(link), "heartbeat_s": 2.0},
        "counters": [{"address": n, "counter": n} for n in range(1, COUNTERS + 1)],
    })


def measure_presses(broker: MosquittoBroker, settings: dict, directory: Path) -> dict:
    from counter_panel.bridge import CounterBridge
    from counter_panel.simulator import SimulatedBus

    timer = SignTimer()
    addresses = range(1, COUNTERS + 1)
    with SimulatedBus(addresses, link=directory / "bus", on_sign=timer.on_sign) as bus, \
            CounterBridge(bridge_config(broker, bus.link)) as bridge:
        deadline = time.monotonic() + 60
        while not all(station.runtime.hub_reachable and bridge.link.box_online(a)
                      for a, station in bridge.stations.items()):
            if time.monotonic() > deadline:
                raise RuntimeError("the 50 counters did not come online within 60 s")
            time.sleep(0.1)
        time.sleep(0.5)
        interval = 1.0 / settings["rate_per_s"]
        started = time.perf_counter()
        for i in range(settings["presses"]):
            address = addresses[i % COUNTERS]
            due = started + i * interval
            if (delay := due - time.perf_counter()) > 0:
                time.sleep(delay)
            timer.pressed(address, bus.view(address).text)
            bus.press("NEXT", address=address)
        missing = timer.wait_all(10)
        sent = sum(station.commands_sent for station in bridge.stations.values())
    return {"press_to_sign": common.latency_summary(timer.latencies), "signs_missing": missing,
            "commands_sent": sent}


def measure(settings: dict) -> dict:
    with MosquittoBroker(packet_log=False) as broker, common.sqlite_database() as db_url, \
            tempfile.TemporaryDirectory(prefix="motcua-bench-bus-") as directory:
        floors = paced_and_back_to_back_floors(broker, db_url, settings["echo_rounds"],
                                               settings["floor_commits"],
                                               1.0 / settings["rate_per_s"])
        hub = HubProcess(broker, db_url, settings["presses"] + 2 * COUNTERS)
        try:
            common.progress(f"hub ready ({hub.ready['issued']} tickets); {settings['presses']} "
                            f"presses at {settings['rate_per_s']}/s on {COUNTERS} boxes")
            presses = measure_presses(broker, settings, Path(directory))
        finally:
            hub.close()
        floor, back_to_back = floor_summaries(floors)
    floor_p99 = floor["p99_ms"]
    common.progress(f"floor p99 {floor_p99} ms (echo {floor['mqtt_echo']['p99_ms']} + commit "
                    f"{floor['durable_commit']['p99_ms']}, one each {floor['interval_ms']} ms; "
                    f"half before the presses, half after); back to back "
                    f"{back_to_back['p99_ms']} ms")
    p99 = presses["press_to_sign"]["p99_ms"]
    presses["p99_over_back_to_back_floor_p99"] = (
        round(p99 / back_to_back["p99_ms"], 2) if back_to_back["p99_ms"] else None)
    common.progress(f"press→sign p50 {presses['press_to_sign']['p50_ms']} ms, p99 {p99} ms")
    return {
        "floor": floor,
        "floor_back_to_back": back_to_back,
        **presses,
        "goals": {
            "press_to_sign_p99_ms": common.goal(p99, "<=", GOALS["press_to_sign_p99_ms"]),
            "press_to_sign_p99_over_floor_p99": common.goal(
                round(p99 / floor_p99, 2) if floor_p99 else None, "<=",
                GOALS["press_to_sign_p99_over_floor_p99"]),
        },
    }


def main() -> int:
    if len(sys.argv) == 5 and sys.argv[1] == "--hub":
        return run_hub(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    args = common.argument_parser(__doc__.splitlines()[0]).parse_args()
    settings = SETTINGS["quick" if args.quick else "full"]
    started = time.perf_counter()
    results = {"sqlite": measure(settings)}
    return common.publish_document(
        NAME, {"quick": args.quick, "counters": COUNTERS, **settings}, results,
        {f"sqlite_{name}": goal for name, goal in results["sqlite"]["goals"].items()}, started)


if __name__ == "__main__":
    sys.exit(main())
