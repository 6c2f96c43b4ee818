"""Round trips through a real Mosquitto and hub: 50 virtual counters calling next.

For SQLite and PostgreSQL: p50/p99 command→reply and command→board, commands per second,
and in the same run the floor: a raw MQTT echo round trip on the same broker plus one
durable commit on the same database. Goals (reported, never enforced): p99 command→reply
≤ 3 × floor p99; ≥ 1,000 commands/s sustained.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import threading
import time
import uuid
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

import paho.mqtt.client as mqtt  # noqa: E402
from paho.mqtt.packettypes import PacketTypes  # noqa: E402
from paho.mqtt.properties import Properties  # noqa: E402

from bench import _common as common  # noqa: E402
from motcua.dispatch import Request  # noqa: E402
from motcua.domain import Assignment, Command, CounterSetup, IssuingSession, Service, SiteSetup  # noqa: E402
from motcua.hub import Hub  # noqa: E402
from motcua.hub_config import HubConfig  # noqa: E402
from tests.support.mosquitto import MosquittoBroker  # noqa: E402

COUNTERS = 50


def bench_setup() -> SiteSetup:
    service = Service("dat-dai", "A", "Đất đai", "Đất đai", 10.0)
    return SiteSetup(
        "bench", "Bench", "Asia/Ho_Chi_Minh", {"dat-dai": service},
        {n: CounterSetup(n, f"Quầy {n}", (Assignment(("dat-dai",)),))
         for n in range(1, COUNTERS + 1)},
        (IssuingSession("all", dt.time(0, 0), dt.time(23, 59, 59), frozenset(range(7))),),
    )


class Client:
    """One paho client (MQTT v5, TCP_NODELAY) recording arrival times per topic."""

    def __init__(self, broker: MosquittoBroker, topics: list[str]) -> None:
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2,
                                  client_id=f"bench-{uuid.uuid4().hex[:6]}", protocol=mqtt.MQTTv5)
        self.handlers = {}
        ready = threading.Event()
        self.client.on_connect = lambda *a: ready.set()
        self.client.on_message = self._on_message
        self.client.on_socket_open = lambda c, u, s: s.setsockopt(6, 1, 1)  # TCP_NODELAY
        self.client.connect(broker.host, broker.port)
        self.client.loop_start()
        ready.wait(5)
        for topic in topics:
            self.client.subscribe(topic, qos=1)
        time.sleep(0.3)

    def _on_message(self, client, userdata, message) -> None:
        now = time.perf_counter()
        for prefix, handler in self.handlers.items():
            if message.topic.startswith(prefix):
                handler(message, now)

    def publish(self, topic: str, payload: bytes) -> None:
        properties = Properties(PacketTypes.PUBLISH)
        properties.MessageExpiryInterval = 30
        self.client.publish(topic, payload, qos=1, properties=properties)

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def measure_echo(broker: MosquittoBroker, rounds: int) -> dict:
    client = Client(broker, ["bench/echo"])
    arrived = threading.Event()
    client.handlers["bench/echo"] = lambda message, now: arrived.set()
    latencies = []
    for _ in range(rounds):
        arrived.clear()
        started = time.perf_counter()
        client.publish("bench/echo", b"x")
        arrived.wait(5)
        latencies.append(time.perf_counter() - started)
    client.close()
    return common.latency_summary(latencies)


def measure_hub(broker: MosquittoBroker, db_url: str, calls_per_counter: int) -> dict:
    # The bench fills the day from one kiosk: no per-kiosk issue rate.
    config = HubConfig(db_url=db_url, mqtt_url=broker.url(), http_port=0,
                       kiosk_issue_per_minute=0)
    hub = Hub(config, serve_http=False, setup=bench_setup()).start()
    root = hub.topics.root
    total = COUNTERS * calls_per_counter
    try:
        for i in range(total):
            hub.dispatcher.submit(Request(Command("issue", {"service": "dat-dai"}), "kiosk/1", f"f{i}"))
        for n in range(1, COUNTERS + 1):
            hub.dispatcher.execute(Request(Command("open", {"clerk": f"cb{n}"}, counter=n),
                                           f"counter/{n}", "open"))
        client = Client(broker, [f"{root}/counter/+/reply", f"{root}/board"])
        sent: dict[str, float] = {}
        reply_latency, board_latency, awaiting_board = [], [], []
        done = threading.Event()
        lock = threading.Lock()
        remaining = {n: calls_per_counter for n in range(1, COUNTERS + 1)}

        def send(counter: int) -> None:
            request_id = uuid.uuid4().hex
            with lock:
                sent[request_id] = time.perf_counter()
            client.publish(f"{root}/counter/{counter}/cmd",
                           json.dumps({"id": request_id, "action": "call_next"}).encode())

        def on_reply(message, now) -> None:
            body = json.loads(message.payload)
            counter = int(message.topic.split("/")[4])
            with lock:
                started = sent.pop(body["id"], None)
                if started is None:
                    return
                reply_latency.append(now - started)
                awaiting_board.append(started)
                remaining[counter] -= 1
                more = remaining[counter] > 0
                if not sent and not any(remaining.values()):
                    done.set()
            if more:
                send(counter)

        def on_board(message, now) -> None:
            with lock:
                board_latency.extend(now - started for started in awaiting_board)
                awaiting_board.clear()

        client.handlers[f"{root}/counter/"] = on_reply
        client.handlers[f"{root}/board"] = on_board
        started = time.perf_counter()
        for n in range(1, COUNTERS + 1):
            send(n)
        finished = done.wait(120)
        elapsed = time.perf_counter() - started
        time.sleep(0.2)
        client.close()
    finally:
        hub.stop()
    return {
        "commands": len(reply_latency),
        "completed": finished,
        "commands_per_s": round(len(reply_latency) / elapsed, 1),
        "command_to_reply": common.latency_summary(reply_latency),
        "command_to_board": common.latency_summary(board_latency),
    }


def main() -> None:
    args = common.argument_parser(__doc__.splitlines()[0]).parse_args()
    calls = 4 if args.quick else 40
    results: dict = {}
    with MosquittoBroker() as broker:
        broker_echo = measure_echo(broker, 50 if args.quick else 300)
        for name in common.selected_databases(args.db):
            common.progress(f"{name}: floor and {COUNTERS} counters × {calls} call_next")
            if name == "sqlite":
                with common.sqlite_database() as url:
                    floor = common.measure_commit_floor(url, 100 if args.quick else 300)
                    hub = measure_hub(broker, url, calls)
            else:
                with common.postgres_cluster() as cluster:
                    url = cluster.create_database("bench_hub")
                    floor = common.measure_commit_floor(url, 100 if args.quick else 300)
                    hub = measure_hub(broker, url, calls)
            floor_p99 = broker_echo["p99_ms"] + floor["p99_ms"]
            results[name] = {
                "floor": {"mqtt_echo": broker_echo, "durable_commit": floor,
                          "p99_ms": round(floor_p99, 3)},
                "hub": hub,
                "goals": {
                    "reply_p99_le_3x_floor": hub["command_to_reply"]["p99_ms"] <= 3 * floor_p99,
                    "ge_1000_commands_per_s": hub["commands_per_s"] >= 1000,
                },
            }
    common.write_results("hub_roundtrip", {
        "bench": "hub_roundtrip", "started_at": common.utc_now_iso(),
        "machine": common.machine_info(), "settings": {"counters": COUNTERS, "calls_per_counter": calls},
        "results": results,
    })


if __name__ == "__main__":
    main()
