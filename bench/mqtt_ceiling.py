"""The most any hub could do here: the hub's MQTT traffic for a day of call_next, without
the hub's work, through the same paho client and Mosquitto on the same machine.

A *null hub* stands in for the hub. It is connected as the hub is (:func:`connect_bus`,
the contract's QoS, retain and expiry for every topic) and has the hub's threads: paho's
network thread takes each command and hands it to a writer thread, which takes whatever
is queued as one batch. For every command it publishes what the hub publishes for a
``call_next`` (the reply, the counter's retained state, the call event), and per batch
one retained board and one retained service state, each of the size the hub's own are
(50 counters). It decides nothing and writes nothing: no pydantic parsing, no engine, no
database. The 50 counters are the probe of ``hub_roundtrip.py``, in a process of their own.

Phases, as in ``hub_roundtrip.py``:

1. floor - a raw MQTT echo round trip on the same broker (half before, half after);
2. day   - 50 closed-loop counters, 20,000 call_next: commands per second, and the CPU one
           command costs the null hub, the probe and the broker;
3. paced - 100 call_next per second for 20 s: command→reply and command→board p99.

Nothing here is a goal of its own. The figures bound the hub's goals from above: the hub
does all of this *and* decides and durably commits each command, so its commands per
second cannot pass the null hub's, nor its paced latencies fall below these. The JSON
reports the day's rate against hub_roundtrip's 1,500 commands/s goal and the machine's
CPU per command (null hub + probe + broker) against what two cores can give at that rate.
Usage: ``python bench/mqtt_ceiling.py [--quick]`` (``--db`` is accepted and ignored).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import queue
import sys
import threading
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from bench import _common as common  # noqa: E402
from bench.hub_roundtrip import COUNTERS, GOALS, SITE, echo_samples, process_cpu_s  # noqa: E402
from motcua import contract  # noqa: E402
from motcua.bus import BusMessage, BusSettings, connect_bus  # noqa: E402
from tests.support.mosquitto import MosquittoBroker  # noqa: E402

NAME = "mqtt_ceiling"
SETTINGS = {
    "full": {"day_commands": 20_000, "paced_rate_per_s": 100, "paced_duration_s": 20.0,
             "echo_rounds": 1000},
    "quick": {"day_commands": 300, "paced_rate_per_s": 50, "paced_duration_s": 2.0,
              "echo_rounds": 50},
}
HUB_SCRIPT = REPO_ROOT / "bench" / "hub_roundtrip.py"
_STOP = object()


class NullHub:
    """Answers every ``call_next`` with the hub's messages and nothing else (see above)."""

    def __init__(self, broker_url: str) -> None:
        self.topics = contract.Topics(SITE)
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._calls = {n: 0 for n in range(1, COUNTERS + 1)}
        self._seq = 0
        self.batches = 0
        self.commands = 0
        self.bus = connect_bus(
            BusSettings(url=broker_url, client_id="motcua-hub",
                        will_topic=self.topics.hub_status()),
            subscriptions={self.topics.counter_cmd_filter(): self._on_command})
        # Started once the bus exists: commands queued meanwhile wait for it.
        self._writer = threading.Thread(target=self._run, name="null-hub-writer", daemon=True)
        self._writer.start()

    def _on_command(self, message: BusMessage) -> None:
        parsed = self.topics.parse(message.topic)
        self._queue.put((parsed.key, json.loads(message.payload)["id"]))

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            while True:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            if _STOP in batch:
                return
            self._publish(batch)

    def _publish(self, batch: list[tuple[int, str]]) -> None:
        self._seq += 1
        for counter, _request_id in batch:
            self._calls[counter] += 1
        for topic, payload in null_hub_messages(self.topics, self._seq, batch, self._calls):
            self.bus.publish_contract(topic, payload)
        self.batches += 1
        self.commands += len(batch)

    def close(self) -> None:
        self._queue.put(_STOP)
        self._writer.join(10)
        self.bus.close()


def null_hub_messages(topics: contract.Topics, seq: int, batch: list[tuple[int, str]],
                      calls: dict[int, int]) -> list[tuple[str, bytes]]:
    """What the hub publishes for a batch of ``call_next`` (``(counter, request id)``,
    ``calls`` already counting them): per command the reply, the counter's state and the
    call event, then the board and the service's state. Each payload is valid for its
    topic's contract model, and as large as the hub's for a 50-counter day."""
    at = dt.datetime.now(dt.timezone(dt.timedelta(hours=7))).isoformat()
    head = {"epoch": "0" * 32, "seq": seq, "at": at}
    messages = []
    called = []
    for counter, request_id in batch:
        ticket = _ticket(counter, calls[counter], at)
        called.append({"ticket": ticket["number"], "counter": counter, "service": "dat-dai",
                       "at": at})
        state = {**head, "counter": counter, "name": f"Quầy {counter}", "status": "open",
                 "clerk": f"cb{counter}", "services": ["dat-dai"], "ticket": ticket}
        messages += [
            (topics.counter_reply(counter), contract.dump_view(
                {"id": request_id, "ok": True, "ticket": ticket, "error": None,
                 "counter": state})),
            (topics.counter_state(counter), contract.dump_view(state)),
            (topics.event_called(), contract.dump_view(
                {**head, "ticket": ticket["number"], "counter": counter, "service": "dat-dai",
                 "recall": 0})),
        ]
    messages.append((topics.board(), contract.dump_view({
        **head,
        "counters": [{"counter": n, "name": f"Quầy {n}", "status": "open",
                      "ticket": _number(n, calls[n]) if calls[n] else None}
                     for n in range(1, COUNTERS + 1)],
        "services": [{"code": "dat-dai", "name": "Đất đai", "waiting": 1000}],
        "recent": called[::-1][:10]})))
    messages.append((topics.service_state("dat-dai"), contract.dump_view(
        {**head, "code": "dat-dai", "name": "Đất đai", "prefix": "A", "field": "Đất đai",
         "waiting": 1000, "est_wait_s": 2292, "issuing": True})))
    return messages


def _number(counter: int, calls: int) -> str:
    """A number that grows per counter, as the probe expects (it reads the digits)."""
    return f"A{calls * COUNTERS + counter:04d}"


def _ticket(counter: int, calls: int, at: str) -> dict:
    return {"id": f"{counter:08d}{calls:016d}", "number": _number(counter, calls),
            "service": "dat-dai", "prefix": "A", "priority": "normal", "status": "called",
            "counter": counter, "issued_at": at, "waiting_ahead": 0, "est_wait_s": 0}


def measure(settings: dict) -> dict:
    progress = common.progress
    with MosquittoBroker(packet_log=False) as broker:
        echo = echo_samples(broker, settings["echo_rounds"] // 2)
        hub = NullHub(broker.url())
        probe = None
        try:
            probe = common.ProbeProcess(str(HUB_SCRIPT), broker.host, broker.port, SITE)
            progress(f"null hub: {COUNTERS} counters, {settings['day_commands']} call_next")
            cpu_before, broker_before = time.process_time(), process_cpu_s(broker.pid)
            batches_before, commands_before = hub.batches, hub.commands
            day = probe.run(run="day", commands=settings["day_commands"])
            commands = max(day["commands"], 1)
            day["null_hub_cpu_ms_per_command"] = round(
                (time.process_time() - cpu_before) * 1000 / commands, 3)
            broker_after = process_cpu_s(broker.pid)
            day["broker_cpu_ms_per_command"] = (
                round((broker_after - broker_before) * 1000 / commands, 3)
                if broker_before is not None and broker_after is not None else None)
            day["mean_batch_size"] = round((hub.commands - commands_before)
                                           / max(hub.batches - batches_before, 1), 2)
            progress(f"null hub: {day['commands_per_s']} commands/s, cpu ms/command: null hub "
                     f"{day['null_hub_cpu_ms_per_command']}, probe "
                     f"{day['probe_cpu_ms_per_command']}, broker "
                     f"{day['broker_cpu_ms_per_command']}, batch {day['mean_batch_size']}")
            paced = probe.run(run="paced", rate=settings["paced_rate_per_s"],
                              duration=settings["paced_duration_s"])
            progress(f"null hub: paced reply p99 {paced['command_to_reply']['p99_ms']} ms, "
                     f"board p99 {paced['command_to_board']['p99_ms']} ms")
        finally:
            if probe is not None:
                probe.close()
            hub.close()
        echo += echo_samples(broker, settings["echo_rounds"] - settings["echo_rounds"] // 2)
    return {"mqtt_echo": common.latency_summary(echo), "day": day, "paced": paced,
            "bounds": bounds(day)}


def bounds(day: dict) -> dict:
    """What the day says of hub_roundtrip's throughput goal on this machine."""
    goal = GOALS["day_commands_per_s"]
    parts = [day["null_hub_cpu_ms_per_command"], day["probe_cpu_ms_per_command"],
             day["broker_cpu_ms_per_command"]]
    machine_ms = round(sum(p for p in parts if p is not None), 3)
    cpus = os.cpu_count() or 1
    return {
        "hub_goal_commands_per_s": goal,
        "null_hub_commands_per_s_over_goal": round(day["commands_per_s"] / goal, 3),
        # One command's CPU on the whole machine without any queue work, and the most
        # that leaves per command, at the goal's rate, for deciding and committing.
        "machine_cpu_ms_per_command_without_work": machine_ms,
        "cpu_ms_per_command_at_goal_rate_all_cores": round(cpus * 1000 / goal, 3),
        "cpu_ms_left_per_command_for_work_at_goal_rate": round(cpus * 1000 / goal - machine_ms,
                                                               3),
    }


def main() -> int:
    parser = common.argument_parser(__doc__.splitlines()[0])
    args = parser.parse_args()
    settings = SETTINGS["quick" if args.quick else "full"]
    started = time.perf_counter()
    results = measure(settings)
    document = {
        "bench": NAME, "started_at": common.utc_now_iso(), "machine": common.machine_info(),
        "settings": {"quick": args.quick, "counters": COUNTERS, **settings},
        "results": results, "goals": {},
    }
    document["machine"]["load_average_at_end"] = common.load_average()
    document["duration_s"] = round(time.perf_counter() - started, 1)
    common.write_results(NAME, document)
    bound = results["bounds"]
    common.progress(
        f"null hub at {bound['null_hub_commands_per_s_over_goal']} x the hub's goal; machine "
        f"{bound['machine_cpu_ms_per_command_without_work']} ms CPU per command without work, "
        f"{bound['cpu_ms_left_per_command_for_work_at_goal_rate']} ms left for the work at "
        f"{bound['hub_goal_commands_per_s']:.0f}/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
