"""Prometheus metrics of the hub, in a registry of its own (never the global one).

One :class:`HubMetrics` per hub: the dispatcher feeds :meth:`HubMetrics.observe` for every
command it answers, the hub calls :meth:`HubMetrics.update_waiting` after commits, and
``GET /metrics`` renders :meth:`HubMetrics.exposition`. Keeping the registry per object
lets tests (and two hubs in one process) count independently.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Iterable, Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

from motcua.domain import ACTIONS

if TYPE_CHECKING:
    from motcua.dispatch import Request, Result

#: From 1 ms (a command alone in a batch) to 5 s (a database waiting out a busy lock).
LATENCY_BUCKETS_S = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
#: Request sources that name their transport in their first path segment (``http/kiosk/1``);
#: any other source is a device topic, so the command came over MQTT.
_NAMED_SOURCE_KINDS = frozenset({"http", "web", "internal"})


def source_kind(source: str) -> str:
    """The transport a request came by: ``http``, ``web``, ``internal`` or ``mqtt``."""
    first = source.split("/", 1)[0]
    return first if first in _NAMED_SOURCE_KINDS else "mqtt"


class HubMetrics:
    """The hub's counters and gauges; every method is cheap and thread-safe."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.commands = Counter(
            "motcua_commands", "Commands answered by the dispatcher, by action and result "
            "(ok or the error code).", ["action", "result"], registry=self.registry)
        self.command_latency = Histogram(
            "motcua_command_latency_seconds", "Time from queueing a command to its durable "
            "answer, by transport (mqtt, http, internal).", ["source"],
            buckets=LATENCY_BUCKETS_S, registry=self.registry)
        self.queue_waiting = Gauge(
            "motcua_queue_waiting", "Tickets waiting per service.", ["service"],
            registry=self.registry)
        self.mqtt_connected = Gauge(
            "motcua_mqtt_connected", "1 while the hub is connected to the MQTT broker.",
            registry=self.registry)
        self.seq = Gauge(
            "motcua_seq", "Last committed sequence number of board and events.",
            registry=self.registry)
        self._services: set[str] = set()
        self._queue_lock = threading.Lock()
        # The labelled children, looked up once per label set: ``labels()`` builds and
        # checks its key on every call, and observe() runs for every command. The label
        # sets are few and fixed (actions of the contract, error codes, transports).
        self._command_children: dict[tuple[str, str], object] = {}
        self._latency_children: dict[str, object] = {}

    def observe(self, request: "Request", result: "Result", seconds: float) -> None:
        """Count one answered command; matches ``Dispatcher.add_observer``."""
        action = request.command.action
        # Label values must stay a small fixed set: a device sending made-up actions
        # must not create one time series per typo.
        if action not in ACTIONS:
            action = "other"
        outcome = "ok" if result.ok else (result.error or {}).get("code", "error")
        key = (action, outcome)
        counted = self._command_children.get(key)
        if counted is None:
            counted = self._command_children[key] = self.commands.labels(
                action=action, result=outcome)
        counted.inc()
        kind = source_kind(request.source)
        timed = self._latency_children.get(kind)
        if timed is None:
            timed = self._latency_children[kind] = self.command_latency.labels(source=kind)
        timed.observe(seconds)

    def update_waiting(self, waiting: Mapping[str, int], seq: int | None = None,
                       services: Iterable[str] | None = None) -> None:
        """Set the waiting gauges from per-service counts (absent services count 0) and
        ``seq`` when given. ``services`` lists every service (default: the last call's
        list, or the keys of ``waiting``); a gauge of a service no longer listed is removed.
        Costs O(services): call it after every commit."""
        codes = set(services) if services is not None else (self._services | set(waiting))
        with self._queue_lock:
            for code in codes:
                self.queue_waiting.labels(service=code).set(waiting.get(code, 0))
            for removed in self._services - codes:
                self.queue_waiting.remove(removed)
            self._services = codes
            if seq is not None:
                self.seq.set(seq)

    def set_mqtt_connected(self, connected: bool) -> None:
        self.mqtt_connected.set(1 if connected else 0)

    def exposition(self) -> tuple[bytes, str]:
        """The Prometheus text exposition of this registry and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
