"""Round trips through a real Mosquitto and hub: a whole day of 50 counters calling next.

Per database (SQLite file, private PostgreSQL cluster), in a child process of its own so
its resident memory is its own. The 50 counters (one paho client that sends the commands
and times replies and boards) run in a third process (``--probe``), driven over a pipe:
they are other devices, and sharing the hub's process would make them compete with the
hub for its GIL. Every latency is timed inside that process, on one clock:

1. floor     - a raw MQTT echo round trip on the same broker, and one durable commit on
               the same database (``_common.commit_floor_samples``), one of each every
               10 ms (the paced phase's pace: ``_common.pace`` says why), half the samples
               before the day and half after the paced phase, pooled (:class:`Floor`);
               the same back to back, reported beside it;
2. day       - 22,000 tickets issued through the dispatcher (the day's tickets), then 50
               closed-loop counters each sending ``call_next`` over MQTT as soon as the
               previous reply arrives, 20,000 commands in all: commands per second over
               the day and by quarter (of the commands, in reply order), command→reply
               and command→board latency (until the board shows the called number at the
               counter), and the process's resident memory after the day;
3. paced     - 100 ``call_next`` per second spread over the counters (open loop, 20 s)
               on that full day: command→reply and command→board p99 against the floor.

Goals (reported with pass/fail, never enforced): ≥ 1,500 commands/s over the day; last
quarter ≥ 90 % of the first; paced reply p99 ≤ 3 × floor p99 (echo p99 + commit p99);
paced board p99 ≤ reply p99 + 5 ms; resident memory after the day ≤ 200 MB.
Usage: ``python bench/hub_roundtrip.py [--quick] [--db sqlite|postgresql|both]``.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

import paho.mqtt.client as mqtt  # noqa: E402

from bench import _common as common  # noqa: E402
from motcua import contract  # noqa: E402
from motcua.bus import BusClient, adopt_receive_maximum, message_properties  # noqa: E402
from motcua.dispatch import Request  # noqa: E402
from motcua.domain import Assignment, Command, CounterSetup, IssuingSession, Service, SiteSetup  # noqa: E402
from motcua.hub import Hub  # noqa: E402
from motcua.hub_config import HubConfig  # noqa: E402
from tests.support.mosquitto import MosquittoBroker  # noqa: E402

NAME = "hub_roundtrip"
SITE = "bench"
COUNTERS = 50
SETTINGS = {
    "full": {"tickets": 22_000, "day_commands": 20_000, "paced_rate_per_s": 100,
             "paced_duration_s": 20.0, "echo_rounds": 1000, "floor_commits": 600},
    "quick": {"tickets": 400, "day_commands": 300, "paced_rate_per_s": 50,
              "paced_duration_s": 2.0, "echo_rounds": 50, "floor_commits": 60},
}
GOALS = {
    "day_commands_per_s": 1500.0,
    "day_last_quarter_over_first": 0.90,
    "paced_reply_p99_over_floor_p99": 3.0,
    "paced_board_p99_minus_reply_p99_ms": 5.0,
    "rss_after_day_mb": 200.0,
}


#: A command's PUBLISH properties, shared by every command the probe sends (paho only
#: reads them).
COMMAND_PROPERTIES = message_properties(message_expiry_s=contract.COMMAND_EXPIRY_S)


def bench_setup() -> SiteSetup:
    service = Service("dat-dai", "A", "Đất đai", "Đất đai", 10.0)
    return SiteSetup(
        SITE, "Bench", "Asia/Ho_Chi_Minh", {"dat-dai": service},
        {n: CounterSetup(n, f"Quầy {n}", (Assignment(("dat-dai",)),))
         for n in range(1, COUNTERS + 1)},
        (IssuingSession("all", dt.time(0, 0), dt.time(23, 59, 59), frozenset(range(7))),),
    )


def process_cpu_s(pid: int | None) -> float | None:
    """CPU seconds (user + system) another process has used, from ``/proc``; None when
    unknown."""
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def rss_mb() -> float | None:
    """This process's resident memory (VmRSS), in MB."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


class Client:
    """One paho client (MQTT v5, TCP_NODELAY, own client id) timing arrivals per topic.
    ``broker`` needs ``host`` and ``port``.

    It is the devices' own paho client (:class:`motcua.bus.BusClient`: buffered reads,
    joined writes, the broker's in-flight limit), so the 50 counters it plays cost the
    machine what 50 motcua devices would, not what a plain paho client costs: on the
    2-core machine the probe shares the CPU with the hub and the broker."""

    def __init__(self, broker, topics: list[str]) -> None:
        self.client = BusClient(mqtt.CallbackAPIVersion.VERSION2,
                                client_id=f"bench-{uuid.uuid4().hex[:8]}",
                                protocol=mqtt.MQTTv5)
        self.handlers: dict[str, object] = {}
        ready = threading.Event()

        def on_connect(client, userdata, flags, reason_code, properties) -> None:
            adopt_receive_maximum(client, properties)
            ready.set()

        self.client.on_connect = on_connect
        self.client.on_message = self._on_message
        self.client.on_socket_open = lambda c, u, s: s.setsockopt(6, 1, 1)  # TCP_NODELAY
        self.client.connect(broker.host, broker.port)
        self.client.loop_start()
        if not ready.wait(5):
            raise RuntimeError("bench client could not connect")
        for topic in topics:
            self.client.subscribe(topic, qos=1)
        time.sleep(0.3)

    def _on_message(self, client, userdata, message) -> None:
        now = time.perf_counter()
        handler = self.handlers.get(message.topic)
        if handler is None:
            handler = self.handlers.get("*")
        if handler is not None:
            handler(message, now)

    def publish(self, topic: str, payload: bytes) -> None:
        self.client.publish(topic, payload, qos=1, properties=COMMAND_PROPERTIES)

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def paced_and_back_to_back_floors(broker: MosquittoBroker, url: str, echo_rounds: int,
                                  commits: int, interval_s: float) -> dict[str, Floor]:
    """The goal's floor, sampled one echo and one commit every ``interval_s`` (the pace of
    the measurement it bounds), and the same back to back (the floor of runs before
    stop 17), kept beside it for comparison; each has taken its "before" half."""
    floors = {"paced": Floor(broker, url, echo_rounds, commits, interval_s=interval_s),
              "back_to_back": Floor(broker, url, echo_rounds, commits)}
    for floor in floors.values():
        floor.sample("before")
    return floors


def floor_summaries(floors: dict[str, Floor]) -> tuple[dict, dict]:
    """Take the "after" halves; the summaries of the paced and the back-to-back floor."""
    paced, back_to_back = (floors[name].sample("after").summary()
                           for name in ("paced", "back_to_back"))
    return paced, back_to_back


def echo_samples(broker: MosquittoBroker, rounds: int, interval_s: float = 0.0) -> list[float]:
    """Raw broker round trips (seconds): publish QoS 1 and receive it back on the same
    client, ``rounds`` times in a row, or one every ``interval_s`` (``common.pace``)."""
    topic = contract.Topics("bench-echo").counter_reply(1)
    client = Client(broker, [topic])
    arrived = threading.Event()
    client.handlers[topic] = lambda message, now: arrived.set()
    latencies = []
    origin = time.perf_counter()
    for index in range(rounds):
        common.pace(origin, index, interval_s)
        arrived.clear()
        started = time.perf_counter()
        client.publish(topic, b"x")
        arrived.wait(5)
        latencies.append(time.perf_counter() - started)
    client.close()
    return latencies


def measure_echo(broker: MosquittoBroker, rounds: int) -> dict:
    """:func:`echo_samples` summed up (``latency_summary``)."""
    return common.latency_summary(echo_samples(broker, rounds))


class Floor:
    """The least a command can cost on this machine, sampled in two halves: one before the
    measurement and one after it, pooled, so that the machine's speed drifting during a
    run (a VM's often does, by a third) moves the floor as it moves the measurement.

    ``p99_ms`` = echo p99 + one-row commit p99, each over both halves. With ``interval_s``
    the echoes and the commits are taken one every ``interval_s`` seconds, the pace of the
    measurement they bound (``common.pace`` says why); with 0, back to back.
    """

    def __init__(self, broker: MosquittoBroker, url: str, echo_rounds: int,
                 commits: int, interval_s: float = 0.0) -> None:
        self.broker, self.url = broker, url
        self.echo_rounds, self.commits = echo_rounds, commits
        self.interval_s = interval_s
        self.echo: dict[str, list[float]] = {}
        self.commit: dict[str, list[float]] = {}

    def sample(self, half: str) -> "Floor":
        """Take half the samples (``half``: "before" or "after")."""
        self.echo[half] = echo_samples(self.broker, self.echo_rounds // 2, self.interval_s)
        self.commit[half] = common.commit_floor_samples(self.url, self.commits // 2,
                                                        interval_s=self.interval_s)
        return self

    def summary(self) -> dict:
        echo = common.latency_summary([x for half in self.echo.values() for x in half])
        commit = common.pooled_floor_summary(self.commit)
        return {
            "mqtt_echo": {**echo, **{half: common.latency_summary(samples)
                                     for half, samples in self.echo.items()}},
            "durable_commit": commit,
            "p99_ms": round(echo["p99_ms"] + commit["p99_ms"], 3),
            "interval_ms": round(self.interval_s * 1000, 3),
        }


def ticket_seq(number: str) -> int:
    """The running number of a ticket number (``A0123`` → 123)."""
    return int(number.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))


class Probe:
    """Sends call_next commands and times their replies and the first board showing the
    number called at that counter."""

    def __init__(self, broker, topics: contract.Topics) -> None:
        self.topics = topics
        self.lock = threading.Lock()
        self.sent: dict[str, tuple[int, float]] = {}
        self.reply_latency: list[float] = []
        self.reply_times: list[float] = []
        self.board_latency: list[float] = []
        self.outcomes: dict[str, int] = {}
        # Per counter: (ticket seq number, send time) of calls not yet seen on a board,
        # and the latest (ticket seq number, arrival) the board showed. A coalesced board
        # may skip a number: a later number at the same counter covers the earlier calls.
        self.awaiting_board: dict[int, list[tuple[int, float]]] = {}
        self.shown: dict[int, tuple[int, float]] = {}
        self.after_reply = None
        subscriptions = [topics.counter_reply(n) for n in range(1, COUNTERS + 1)]
        self.client = Client(broker, subscriptions + [topics.board()])
        self.client.handlers["*"] = self._on_reply
        self.client.handlers[topics.board()] = self._on_board

    def send(self, counter: int) -> None:
        request_id = uuid.uuid4().hex
        with self.lock:
            self.sent[request_id] = (counter, time.perf_counter())
        body = contract.CommandEnvelope(id=request_id, action="call_next")
        self.client.publish(self.topics.counter_cmd(counter), contract.dump(body))

    def _on_reply(self, message, now: float) -> None:
        parsed = self.topics.parse(message.topic)
        if parsed is None or parsed.kind is not contract.TopicKind.COUNTER_REPLY:
            return
        body = json.loads(message.payload)
        with self.lock:
            sent = self.sent.pop(body["id"], None)
            if sent is None:
                return
            counter, started = sent
            self.reply_latency.append(now - started)
            self.reply_times.append(now)
            outcome = "ok" if body["ok"] else body["error"]["code"]
            self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
            if body["ok"]:
                number = ticket_seq(body["ticket"]["number"])
                shown = self.shown.get(counter)
                if shown is not None and shown[0] >= number:  # the board overtook the reply
                    self.board_latency.append(shown[1] - started)
                else:
                    self.awaiting_board.setdefault(counter, []).append((number, started))
        if self.after_reply is not None:
            self.after_reply(counter)

    def _on_board(self, message, now: float) -> None:
        board = json.loads(message.payload)
        with self.lock:
            for entry in board["counters"]:
                if entry["ticket"] is None:
                    continue
                counter, number = entry["counter"], ticket_seq(entry["ticket"])
                self.shown[counter] = (number, now)
                waiting = self.awaiting_board.get(counter)
                if waiting:
                    self.board_latency.extend(now - started for seen, started in waiting
                                              if seen <= number)
                    self.awaiting_board[counter] = [(seen, started) for seen, started in waiting
                                                    if seen > number]

    def reset(self) -> None:
        with self.lock:
            self.reply_latency, self.reply_times, self.board_latency = [], [], []
            self.outcomes, self.awaiting_board = {}, {}

    def close(self) -> None:
        self.client.close()


def run_day(probe: Probe, commands: int) -> dict:
    """50 closed loops of call_next, ``commands`` in all."""
    remaining = {n: commands // COUNTERS + (1 if n <= commands % COUNTERS else 0)
                 for n in range(1, COUNTERS + 1)}
    done = threading.Event()
    answered = [0]

    def after_reply(counter: int) -> None:
        with probe.lock:
            answered[0] += 1
            remaining[counter] -= 1
            more = remaining[counter] > 0
            if answered[0] >= commands:
                done.set()
        if more:
            probe.send(counter)

    probe.reset()
    probe.after_reply = after_reply
    cpu_before = time.process_time()
    started = time.perf_counter()
    for n in range(1, COUNTERS + 1):
        if remaining[n] > 0:
            probe.send(n)
    finished = done.wait(600)
    elapsed = time.perf_counter() - started
    probe_cpu_s = time.process_time() - cpu_before
    time.sleep(0.3)  # the last boards
    probe.after_reply = None
    with probe.lock:
        times = list(probe.reply_times)
        figures = {
            "commands": len(probe.reply_latency),
            "completed": finished,
            "outcomes": dict(probe.outcomes),
            "wall_s": round(elapsed, 3),
            "commands_per_s": round(len(probe.reply_latency) / elapsed, 1),
            "commands_per_s_by_quarter": common.rates_by_quarter(times, started),
            "command_to_reply": common.latency_summary(probe.reply_latency),
            "command_to_board": common.latency_summary(probe.board_latency),
            # The 50 counters' client shares the machine with the hub and the broker.
            "probe_cpu_ms_per_command": round(
                probe_cpu_s * 1000 / max(len(probe.reply_latency), 1), 3),
        }
    quarters = figures["commands_per_s_by_quarter"]
    figures["last_quarter_over_first"] = (round(quarters[-1] / quarters[0], 3)
                                          if quarters and quarters[0] else None)
    return figures


def run_paced(probe: Probe, rate: float, duration: float) -> dict:
    """Open loop: ``rate`` call_next per second, rotating over the counters."""
    probe.reset()
    count = int(rate * duration)
    interval = 1.0 / rate
    origin = time.perf_counter() + 0.05
    for i in range(count):
        pause = origin + i * interval - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        probe.send(i % COUNTERS + 1)
    deadline = time.perf_counter() + 10
    while time.perf_counter() < deadline:
        with probe.lock:
            if not probe.sent and not any(probe.awaiting_board.values()):
                break
        time.sleep(0.05)
    with probe.lock:
        return {
            "rate_per_s": rate, "duration_s": duration, "commands": count,
            "answered": len(probe.reply_latency), "outcomes": dict(probe.outcomes),
            "command_to_reply": common.latency_summary(probe.reply_latency),
            "command_to_board": common.latency_summary(probe.board_latency),
            "boards_missing": sum(len(v) for v in probe.awaiting_board.values()),
        }


def run_probe(address: str) -> int:
    """The ``--probe`` process: serve ``day`` / ``paced`` requests read from stdin."""
    host, port, site = address.split(":", 2)
    broker = type("Broker", (), {"host": host, "port": int(port)})()
    probe = Probe(broker, contract.Topics(site))
    try:
        print(json.dumps({"ready": True}), flush=True)
        for line in sys.stdin:
            request = json.loads(line)
            if request["run"] == "day":
                figures = run_day(probe, request["commands"])
            else:
                figures = run_paced(probe, request["rate"], request["duration"])
            print(json.dumps(figures), flush=True)
    finally:
        probe.close()
    return 0


def measure_database(kind: str, url: str, broker: MosquittoBroker, settings: dict) -> dict:
    progress = common.progress
    floors = paced_and_back_to_back_floors(broker, url, settings["echo_rounds"],
                                           settings["floor_commits"],
                                           1.0 / settings["paced_rate_per_s"])
    # The bench fills the day from one kiosk: no per-kiosk issue rate.
    config = HubConfig(db_url=url, mqtt_url=broker.url(), http_port=0,
                       kiosk_issue_per_minute=0)
    gc_pauses = GcPauses()
    hub = Hub(config, serve_http=False, setup=bench_setup()).start()
    commits = CommitTimes(hub.dispatcher.store)
    probe = None
    try:
        tickets = settings["tickets"]
        progress(f"{kind}: issuing {tickets} tickets through the dispatcher")
        begin = time.perf_counter()
        futures = [hub.dispatcher.submit(Request(Command("issue", {"service": "dat-dai"}),
                                                 "kiosk/bench", f"t{i}"))
                   for i in range(tickets)]
        issued = sum(1 for future in futures if future.result(600).ok)
        issue_s = time.perf_counter() - begin
        for n in range(1, COUNTERS + 1):
            hub.dispatcher.execute(Request(Command("open", {"clerk": f"cb{n}"}, counter=n),
                                           f"counter/{n}", "open"))
        hub.publisher.flush(30)
        probe = common.ProbeProcess(__file__, broker.host, broker.port, hub.topics.site)
        progress(f"{kind}: {COUNTERS} counters, {settings['day_commands']} call_next")
        gc_pauses.take()  # start-up and the issuing: not the day's
        commits.take()
        cpu_before = time.process_time()
        broker_cpu_before = process_cpu_s(broker.pid)
        day = probe.run(run="day", commands=settings["day_commands"])
        # The hub process's CPU (all threads, user + system) per command of the day, and
        # the broker's: with the probe's, what one command costs the whole machine.
        day["hub_cpu_ms_per_command"] = round(
            (time.process_time() - cpu_before) * 1000 / max(day["commands"], 1), 3)
        broker_cpu_after = process_cpu_s(broker.pid)
        day["broker_cpu_ms_per_command"] = (
            round((broker_cpu_after - broker_cpu_before) * 1000 / max(day["commands"], 1), 3)
            if broker_cpu_before is not None and broker_cpu_after is not None else None)
        day["tickets_in_state"] = len(hub.dispatcher.state.tickets)
        day["publisher_coalesced"] = hub.publisher.queue.coalesced
        day["tickets_issued_before"] = issued
        day["issue_commands_per_s"] = round(issued / issue_s, 1)
        day["rss_after_day_mb"] = rss_mb()
        progress(f"{kind}: {day['commands_per_s']} commands/s, by quarter "
                 f"{day['commands_per_s_by_quarter']}, rss {day['rss_after_day_mb']} MB, "
                 f"cpu ms/command: hub {day['hub_cpu_ms_per_command']}, probe "
                 f"{day['probe_cpu_ms_per_command']}, broker "
                 f"{day['broker_cpu_ms_per_command']}")
        progress(f"{kind}: paced {settings['paced_rate_per_s']}/s for "
                 f"{settings['paced_duration_s']} s")
        day["gc_pauses"] = gc_pauses.take()
        day["hub_commit"] = commits.take()
        paced = probe.run(run="paced", rate=settings["paced_rate_per_s"],
                          duration=settings["paced_duration_s"])
        paced["gc_pauses"] = gc_pauses.take()
        paced["hub_commit"] = commits.take()
        progress(f"{kind}: paced reply p99 {paced['command_to_reply']['p99_ms']} ms, "
                 f"board p99 {paced['command_to_board']['p99_ms']} ms, the hub's commit "
                 f"p99 {paced['hub_commit']['p99_ms']} ms")
    finally:
        if probe is not None:
            probe.close()
        hub.stop()
    floor, back_to_back = floor_summaries(floors)
    floor_p99 = floor["p99_ms"]
    progress(f"{kind}: floor p99 {floor_p99} ms (echo {floor['mqtt_echo']['p99_ms']} + "
             f"commit {floor['durable_commit']['p99_ms']}, one each "
             f"{floor['interval_ms']} ms; half before the day, half after the paced phase); "
             f"back to back {back_to_back['p99_ms']} ms")
    reply_p99 = paced["command_to_reply"]["p99_ms"]
    paced["reply_p99_over_back_to_back_floor_p99"] = (
        round(reply_p99 / back_to_back["p99_ms"], 2) if back_to_back["p99_ms"] else None)
    board_p99 = paced["command_to_board"]["p99_ms"]
    goals = {
        "day_commands_per_s": common.goal(day["commands_per_s"], ">=",
                                          GOALS["day_commands_per_s"]),
        "day_last_quarter_over_first": common.goal(day["last_quarter_over_first"], ">=",
                                                   GOALS["day_last_quarter_over_first"]),
        "paced_reply_p99_over_floor_p99": common.goal(
            round(reply_p99 / floor_p99, 2) if floor_p99 else None, "<=",
            GOALS["paced_reply_p99_over_floor_p99"]),
        "paced_board_p99_minus_reply_p99_ms": common.goal(
            round(board_p99 - reply_p99, 3), "<=", GOALS["paced_board_p99_minus_reply_p99_ms"]),
        "rss_after_day_mb": common.goal(day["rss_after_day_mb"], "<=",
                                        GOALS["rss_after_day_mb"]),
    }
    return {"floor": floor, "floor_back_to_back": back_to_back, "day": day, "paced": paced,
            "goals": goals}


class CommitTimes:
    """How long the hub's store took to write each batch (``SiteStore.commit``, wrapped
    on this store instance only): tells a reply's tail that is the database's (a slow
    fsync, the server's own work) from one that is the hub's or the machine's."""

    def __init__(self, store) -> None:
        self.times: list[float] = []
        store.commit = common.timed_calls(store.commit,
                                          lambda seconds, _batch: self.times.append(seconds))

    def take(self) -> dict:
        """:func:`common.latency_summary` of the commits since the last call."""
        times, self.times = self.times, []
        return common.latency_summary(times)


class GcPauses:
    """The collector's pauses in this process, by generation (``gc.callbacks``): a full
    collection over the day's tickets stops every thread of the hub."""

    def __init__(self) -> None:
        self.pauses: list[tuple[int, float]] = []
        self._started = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses.append((info["generation"], time.perf_counter() - self._started))

    def take(self) -> dict:
        """``{generation: {"count", "total_ms", "max_ms"}}`` since the last call."""
        figures: dict[str, dict] = {}
        for generation, took in self.pauses:
            entry = figures.setdefault(str(generation), {"count": 0, "total_ms": 0.0,
                                                         "max_ms": 0.0})
            entry["count"] += 1
            entry["total_ms"] = round(entry["total_ms"] + took * 1000, 1)
            entry["max_ms"] = round(max(entry["max_ms"], took * 1000), 1)
        self.pauses = []
        return figures


def run_child(kind: str, settings: dict) -> dict:
    """One database's measurements, in this process."""
    with MosquittoBroker(packet_log=False) as broker:
        if kind == "sqlite":
            with common.sqlite_database() as url:
                return measure_database(kind, url, broker, settings)
        common.progress("postgresql: starting a private cluster")
        try:
            with common.postgres_cluster() as cluster:
                url = cluster.create_database("bench_hub")
                server = common.postgres_server_info(url)
                return {"server": server, **measure_database(kind, url, broker, settings)}
        except common.PostgresUnavailable as error:
            common.progress(f"postgresql: skipped ({error})")
            return {"skipped": str(error)}


def main() -> int:
    parser = common.argument_parser(__doc__.splitlines()[0])
    parser.add_argument("--child", action="store_true", help=argparse_suppress())
    parser.add_argument("--probe", metavar="HOST:PORT:SITE", help=argparse_suppress())
    parser.add_argument("--day-commands", type=int, default=None,
                        help="commands of the day (default 20,000; --quick 300); enough tickets "
                             "are issued before for the day and the paced phase")
    parser.add_argument("--paced-seconds", type=float, default=None,
                        help="length of the paced phase (default 20 s; --quick 2 s)")
    args = parser.parse_args()
    if args.probe:  # the counters' process, driven over a pipe by the --child
        return run_probe(args.probe)
    settings = dict(SETTINGS["quick" if args.quick else "full"])
    if args.paced_seconds:
        settings["paced_duration_s"] = args.paced_seconds
    if args.day_commands:
        settings["day_commands"] = args.day_commands
        settings["tickets"] = (args.day_commands + args.day_commands // 20
                               + int(settings["paced_rate_per_s"] * settings["paced_duration_s"]))
    if args.child:  # one database, JSON on stdout for the parent
        print(json.dumps(run_child(args.db, settings), default=str))
        return 0
    started = time.perf_counter()
    results: dict = {}
    for kind in common.selected_databases(args.db):
        command = [sys.executable, __file__, "--db", kind, "--child"]
        if args.quick:
            command.append("--quick")
        if args.day_commands:
            command += ["--day-commands", str(args.day_commands)]
        if args.paced_seconds:
            command += ["--paced-seconds", str(args.paced_seconds)]
        child = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False,
                               stdin=subprocess.DEVNULL, env=os.environ.copy())
        if child.returncode != 0:
            results[kind] = {"failed": f"exit status {child.returncode}"}
            continue
        results[kind] = json.loads(child.stdout.strip().splitlines()[-1])
    document = {
        "bench": NAME, "started_at": common.utc_now_iso(), "machine": common.machine_info(),
        "settings": {"quick": args.quick, "counters": COUNTERS, **settings},
        "results": results,
        "goals": {f"{kind}_{name}": goal for kind, figures in results.items()
                  for name, goal in figures.get("goals", {}).items()},
    }
    document["machine"]["load_average_at_end"] = common.load_average()
    document["duration_s"] = round(time.perf_counter() - started, 1)
    common.write_results(NAME, document)
    common.print_goals(NAME, document["goals"])
    return 0


def argparse_suppress() -> str:
    import argparse

    return argparse.SUPPRESS


if __name__ == "__main__":
    raise SystemExit(main())
