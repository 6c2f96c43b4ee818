"""The hub process: dispatcher + MQTT intake and publishing + HTTP API, for one site.

Commands arrive on ``counter/+/cmd`` and ``kiosk/+/cmd``, are checked against the
contract on paho's network thread (a retained command is never acted on: it is cleared;
a command judged by ``sent_at`` may not be stamped in the future; a broker expiry counts
up to 30 s), and go to the dispatcher without blocking it. The dispatcher's intercept
answers the kiosk ``printer`` action and applies the per-kiosk issue rate after its
idempotence check. The reply is published when the dispatcher resolves the command, which
is after its commit (on the writer: paho only queues it); the commit listener then builds
retained state, the board and the call events from the committed state, which the
publisher thread (:mod:`motcua.publisher`) dumps and publishes; a reply to a counter's
command carries that counter's committed state too. Every publish goes
through the contract's topic table. HTTP reads committed snapshots
(:mod:`motcua.snapshot`), never the writer's live state. Device presences
(``device/+/+/status``) feed the device table read by ``GET /api/v1/devices``.

Dossiers (issue 11): a kiosk ``lookup`` is read-only, so it never enters the writer's
queue: paho's thread hands it to a small pool of lookup workers, which read the dossier
through the site's :class:`~motcua.dossiers.lookup.DossierReader` and publish the reply
themselves. An ``issue`` naming a dossier (a return-of-results ticket) is judged on the
writer thread by :class:`~motcua.dossiers.returns.ReturnTicketCheck` before the engine.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any


from motcua import __version__, contract
from motcua.bus import Bus, BusMessage, BusSettings, connect_bus
from motcua.catalog_publisher import CatalogPublisher
from motcua.device_registry import DeviceRegistry
from motcua.dispatch import CommitNotice, Dispatcher, Request, Result, utc_now
from motcua.domain import ACTIONS, Command
from motcua.domain.selection import waiting_counts
from motcua.dossiers.finder import DossierFinder
from motcua.dossiers.lookup import DossierReader
from motcua.dossiers.returns import ReturnTicketCheck
from motcua.dossiers.wiring import open_dossier_reader
from motcua.errors import WireError
from motcua.heap import HeapPacer
from motcua.hub_config import HubConfig, ensure_sqlite_directory
from motcua.publisher import StatePublisher
from motcua.rate_limit import IssueRateLimiter, kiosk_of
from motcua.snapshot import CommittedReads
from motcua.store import open_site_store

log = logging.getLogger(__name__)
#: How long after (re)connecting the hub listens for stale retained topics to clear.
RETAINED_SWEEP_S = 2.0
#: The interpreter's thread switch interval while a hub runs (CPython's default is 5 ms).
#: The hub is three busy threads on one GIL (paho's network thread, the writer, the
#: publisher): a thread woken to pass a command or a reply on waited for the running one
#: to block or to use up its interval, up to 5 ms per hand-off. With 0.5 ms, bench
#: hub_roundtrip measured 668-727 commands/s instead of 479-575 and paced reply p99
#: 10.8-12.6 ms instead of 20.7-23.1 ms (same machine, back to back).
SWITCH_INTERVAL_S = 0.0005
#: Contract actions the hub answers itself on the writer thread (see ``Hub._intercept``).
INTERCEPTED_ACTIONS = frozenset({"printer"})
#: Threads answering kiosk lookups: reads only, each a short indexed query.
LOOKUP_WORKERS = 2


class Hub:
    """One site's hub. ``start()`` raises on a refused broker login or a held hub lock."""

    def __init__(self, config: HubConfig, *, clock=utc_now, serve_http: bool = True,
                 setup=None, dossiers: DossierReader | None = None) -> None:
        """``dossiers`` replaces the reader the hub would open over its own database
        (:func:`motcua.dossiers.wiring.open_dossier_reader`)."""
        self.config = config
        self.clock = clock
        self.serve_http = serve_http
        self.setup = setup or config.site_setup()
        self.topics = contract.Topics(self.setup.site_id)
        self.started_at = clock()
        self.store = None
        self.dispatcher: Dispatcher | None = None
        self.bus: Bus | None = None
        self.publisher: StatePublisher | None = None
        self.procedure_catalog: CatalogPublisher | None = None  # retained for kiosks
        self.http_server = None
        self.metrics = None
        self.reads: CommittedReads | None = None
        self.priority_labels = config.priority_labels()
        self.devices = DeviceRegistry()
        self.rate_limiter = IssueRateLimiter(config.kiosk_issue_per_minute,
                                             config.kiosk_issue_burst)
        self.heap = HeapPacer()
        self.dossier_settings = config.dossier_settings()
        self.dossiers: DossierReader | None = dossiers
        self.dossier_lookup: DossierFinder | None = None
        self.return_check = ReturnTicketCheck(None, self.dossier_settings)
        self._lookup_pool: ThreadPoolExecutor | None = None
        self._switch_interval: float | None = None  # the interpreter's, while running

    # --- lifecycle -------------------------------------------------------------------

    def start(self) -> "Hub":
        from motcua.metrics import HubMetrics

        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL_S)
        ensure_sqlite_directory(self.config.db_url)
        self.store = open_site_store(self.config.db_url, self.setup, self.clock())
        self.setup = self.store.load_setup()  # the database is the truth after seeding
        self.heap.install()
        self._open_dossiers()
        self.metrics = HubMetrics()
        self.dispatcher = Dispatcher(self.store, clock=self.clock,
                                     tick_interval_s=self.config.tick_interval_s,
                                     intercept=self._intercept)
        self.dispatcher.add_listener(self._on_commit)
        self.dispatcher.add_observer(self.metrics.observe)
        self.dispatcher.start()
        self.reads = CommittedReads(self.dispatcher)
        try:
            self.bus = connect_bus(
                BusSettings(url=self.config.mqtt_url, client_id=self.config.mqtt_client_id,
                            clean_start=True, will_topic=self.topics.hub_status()),
                subscriptions={self.topics.device_status_filter(): self._on_presence},
                on_connected=[self._on_connected],
            )
            self.publisher = StatePublisher(self.bus, self.topics).start()
            # Commands only once the publisher runs: a command committed before it would
            # have its call event lost (the retained state is republished, events are not).
            for topic_filter in self.topics.command_filters():
                self.bus.subscribe(topic_filter, self._on_command, wait=True)
            self._republish().wait(10)
            self.procedure_catalog = CatalogPublisher.for_site(
                self.store.engine, self.setup.site_id, self.topics, self.clock,
                timezone=self.setup.timezone).start(self.bus)
            if self.serve_http:
                self._start_http()
        except BaseException:
            self.stop()
            raise
        log.info("hub for site %s running (epoch %s, seq %d)", self.setup.site_id,
                 self.dispatcher.epoch, self.dispatcher.seq)
        return self

    def stop(self) -> None:
        """Stop taking commands, finish queued ones, go offline, release the lock."""
        if self.http_server is not None:
            self.http_server.close()
            self.http_server = None
        if self.bus is not None:
            for topic_filter in self.topics.command_filters():
                self.bus.unsubscribe(topic_filter)
        if self.procedure_catalog is not None:
            self.procedure_catalog.stop()
        if self.dispatcher is not None:
            self.dispatcher.stop()
        if self._lookup_pool is not None:
            self._lookup_pool.shutdown(wait=True)  # answers the lookups already taken
            self._lookup_pool = None
        if self.publisher is not None:
            self.publisher.stop()  # sends what the last commits queued
        if self.bus is not None:
            self.bus.close(announce_offline=True)
            self.bus = None
        self.heap.release()
        if self._switch_interval is not None:
            sys.setswitchinterval(self._switch_interval)
            self._switch_interval = None

    def __enter__(self) -> "Hub":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _open_dossiers(self) -> None:
        """The dossier reader, the lookup workers and the return-ticket check.

        THE place the real reader is plugged in: ``open_dossier_reader`` builds
        ``StoreDossierReader(engine, site_id, calendar, return_service)`` when this build
        has the dossier store, else dossiers stay off (``lookup``: ``not_available``).
        """
        if self.dossiers is None:
            self.dossiers = open_dossier_reader(self.store.engine, self.setup.site_id,
                                                self.dossier_settings)
        if self.dossiers is None:
            return
        self.dossier_lookup = DossierFinder(self.dossiers, self.dossier_settings)
        self.return_check = ReturnTicketCheck(self.dossier_lookup, self.dossier_settings)
        self._lookup_pool = ThreadPoolExecutor(LOOKUP_WORKERS,
                                               thread_name_prefix="motcua-lookup")

    def _start_http(self) -> None:
        from motcua.server import create_app
        from motcua.server.serve import serve

        self.http_server = serve(create_app(self, self.config.flask_settings()),
                                 self.config.http_host,
                                 self.config.http_port, self.config.http_threads)
        self.http_server.start()
        log.info("HTTP API on http://%s:%s/api/v1", self.config.http_host, self.http_port)

    @property
    def http_port(self) -> int:
        server = self.http_server
        return server.effective_port if server is not None else self.config.http_port

    # --- runtime for the HTTP app ------------------------------------------------------

    def broker_connected(self) -> bool:
        return self.bus is not None and self.bus.connected

    def device_list(self) -> list[dict[str, Any]]:
        """Every device heard of: kind, id, online, kiosk printer, last seen."""
        return self.devices.listing()

    # --- MQTT intake -------------------------------------------------------------------

    def _on_command(self, message: BusMessage) -> None:
        """Check a command and hand it to the dispatcher; never raises, never blocks."""
        try:
            self._accept(message)
        except Exception:  # noqa: BLE001 - one bad message must never stop the hub
            log.exception("unexpected failure handling a message on %.200s", message.topic)

    def _accept(self, message: BusMessage) -> None:
        parsed_topic = self.topics.parse(message.topic)
        if parsed_topic is None or not parsed_topic.is_command:
            return
        if message.retain:
            self._clear_retained_command(message)
            return
        now = self.clock()
        expiry = message.message_expiry_s
        # A short broker expiry already judged the age (device clocks may drift); a longer
        # one proves nothing, so the command is then judged by its sent_at.
        trusted = contract.expiry_is_trusted(expiry)
        try:
            command = contract.parse_command(parsed_topic.kind, message.payload)
            if not trusted:
                # Judged by sent_at: a stamp in the future would never grow old.
                contract.check_clock_skew(command, now)
        except contract.ContractError as error:
            log.warning("refused command on %s: %s", message.topic, error)
            self._reply(message, {"id": error.request_id, "ok": False, "ticket": None,
                                  "error": error.as_dict()})
            return
        source = parsed_topic.source
        pool = self._lookup_pool
        if command.action == "lookup" and pool is not None:
            # Read-only: off paho's thread and off the writer, answered by a worker.
            try:
                pool.submit(self._answer_lookup, message, command, source)
            except RuntimeError:  # the hub is stopping: the pool takes nothing more
                self._reply(message, {"id": command.id, "ok": False, "ticket": None,
                                      "error": WireError("shutting_down").as_dict()})
            return
        if command.action not in ACTIONS and command.action not in INTERCEPTED_ACTIONS:
            self._reply(message, self._device_action(command))
            return
        honoured = contract.honoured_expiry_s(expiry)
        request = Request(
            command=Command(command.action, command.args,
                            counter=parsed_topic.key
                            if parsed_topic.kind is contract.TopicKind.COUNTER_CMD else None),
            source=source,
            request_id=command.id,
            sent_at=None if trusted else command.sent_at,
            expires_at=now + dt.timedelta(seconds=honoured) if honoured is not None else None,
        )
        future = self.dispatcher.submit(request)
        counter = request.command.counter
        # Resolved on the writer thread, which sends the reply (see _send_reply).
        future.add_done_callback(lambda done: self._send_reply(message, done.result(), counter))

    def _clear_retained_command(self, message: BusMessage) -> None:
        """A command must act once: a retained one would act again on every hub start."""
        if not message.payload:
            return  # our own clearing, echoed back
        log.warning("ignored a retained command on %s (%d bytes); clearing it",
                    message.topic, len(message.payload))
        # The one publish outside the topic table: command topics are never retained by
        # the contract, so clearing a device's mistake needs the retain flag set here.
        self.bus.publish(message.topic, contract.CLEAR_RETAINED, qos=1, retain=True)

    def _intercept(self, request: Request, now: dt.datetime) -> Result | None:
        """Writer-thread hook: kiosk actions answered by the hub, then the issue rate.

        It runs after the dispatcher's idempotence check, so ``printer`` shares the
        request ids of the queue's commands and a repeated id gets its first reply.
        """
        if request.command.action == "printer":
            kiosk = kiosk_of(request.source)
            status = request.command.args.get("status")
            log.info("kiosk %s reports printer %s", kiosk, status)
            if kiosk is not None:
                self.devices.printer(kiosk, status, now)
            return Result(request.request_id, True, action="printer")
        answered = self.return_check(request, self.dispatcher.state, now)
        if answered is not None:
            return answered
        return self.rate_limiter(request, now)

    def _answer_lookup(self, message: BusMessage, command, source: str) -> None:
        """On a lookup worker: the kiosk's dossier, or why not, on its reply topic."""
        try:
            try:
                view = self.dossier_lookup.find(command.args.get("code"), source,
                                                self.clock())
            except WireError as error:
                body = {"id": command.id, "ok": False, "ticket": None,
                        "error": error.as_dict()}
            else:
                body = {"id": command.id, "ok": True, "ticket": None, "dossier": view}
            self._reply(message, body)
        except Exception:  # noqa: BLE001 - a worker must survive any one lookup
            log.exception("lookup %s from %s failed", command.id, source)

    def _device_action(self, command) -> dict[str, Any]:
        """Actions of the contract that this hub does not offer (yet)."""
        error = WireError("not_available", feature=command.action)
        return {"id": command.id, "ok": False, "ticket": None, "error": error.as_dict()}

    def _on_presence(self, message: BusMessage) -> None:
        """Note a device's retained presence (online, kiosk printer) for /api/v1/devices."""
        parsed = self.topics.parse(message.topic)
        if parsed is None or parsed.device is None or not message.payload:
            return
        try:
            presence = contract.Presence.model_validate_json(message.payload)
        except ValueError:
            log.warning("unreadable presence on %s", message.topic)
            return
        kind, device_id = parsed.device
        self.devices.presence(kind, device_id, presence.online, presence.printer,
                              self.clock())

    def _send_reply(self, message: BusMessage, result: Result,
                    counter: int | None = None) -> None:
        # Sent on the thread that resolves the command (the writer, right after the
        # commit), not handed to the publisher thread: paho's publish only queues the
        # packet, and the hand-off cost a thread wake-up on every command's latency path
        # and more CPU than the reply itself (bench hub_roundtrip, same machine back to
        # back: 1.36-1.48 ms of hub CPU per command instead of 1.63-1.71). The commit's
        # state is queued by the listeners after the results resolve, so a reply still
        # goes out before the state of its commit. The body is the dispatcher's own
        # (a ticket view, an error of the catalog): dumped without validating it again.
        body = result.reply()
        if counter is not None and result.ok:
            self._add_counter_state(body, counter)
        self._publish_reply(message, contract.dump_view(body))

    def _add_counter_state(self, body: dict[str, Any], counter: int) -> None:
        """Put the counter's committed state into the reply to its command (the contract's
        optional ``counter``): its sign shows the number from the reply, without waiting
        for the retained state, which the publisher sends after the events and the board.
        Only on the writer thread, the one that may read the state: in the rare case the
        command resolved before its callback was added, the callback runs on paho's
        thread and the reply goes without it (the retained state still follows)."""
        dispatcher, publisher = self.dispatcher, self.publisher
        if (publisher is None or not dispatcher.on_writer_thread()
                or dispatcher.committed_at is None
                or counter not in dispatcher.state.counters):
            return
        body["counter"] = publisher.counter_after_commit(
            dispatcher.state, counter, dispatcher.epoch, dispatcher.seq,
            dispatcher.committed_at)

    def _reply(self, message: BusMessage, body: dict[str, Any]) -> None:
        """Publish ``body``, validated, on the requester's reply topic (or its honoured
        v5 response topic): the replies not built by the dispatcher (refused commands,
        lookups, actions the hub does not offer)."""
        try:
            reply = contract.Reply.model_validate(body)
        except Exception:  # noqa: BLE001 - never leave a device without an answer
            log.exception("reply to %s did not fit the contract", body.get("id"))
            reply = contract.Reply(
                id=body.get("id") if contract.is_request_id(body.get("id")) else None,
                ok=False, error=WireError("storage_error").as_dict())
        self._publish_reply(message, contract.dump(reply))

    def _publish_reply(self, message: BusMessage, payload: bytes) -> None:
        try:
            topic = self.topics.reply_topic_for(message.topic)
        except ValueError:
            return
        correlation_data = None
        response_topic = message.response_topic
        if response_topic and self.topics.response_topic_allowed(message.topic, response_topic):
            topic = response_topic
            correlation_data = message.correlation_data
        elif response_topic:
            log.warning("response topic %.200s outside %s's reply subtree; using %s",
                        response_topic, message.topic, topic)
        self.bus.publish_contract(topic, payload, correlation_data=correlation_data)

    # --- publishing --------------------------------------------------------------------

    def _on_commit(self, notice: CommitNotice) -> None:
        """On the writer thread, right after a commit: payloads and gauges, once per batch."""
        waiting = waiting_counts(notice.state)
        if self.publisher is not None:
            self.publisher.publish_commit(notice, waiting)
        self.metrics.update_waiting(waiting, notice.seq, notice.state.setup.services)
        self.heap.after_commands(len(notice.results))

    def _republish(self) -> threading.Event:
        """Publish every retained topic; the state belongs to the dispatcher thread, so
        the payloads are built there. The returned event is set once they are handed to
        the bus."""
        done = threading.Event()

        def publish() -> None:
            dispatcher = self.dispatcher
            self.publisher.publish_all(dispatcher.state, dispatcher.epoch, dispatcher.seq,
                                       self.clock())
            self.publisher.call(done.set)

        self.dispatcher.run_in_writer(publish)
        return done

    def _on_connected(self, bus: Bus) -> None:
        """After every (re)connect: presence, all retained state, and a sweep of leftovers."""
        status = contract.HubStatus(online=True, version=__version__,
                                    epoch=self.dispatcher.epoch,
                                    started_at=self.started_at.isoformat())
        bus.publish_contract(self.topics.hub_status(), status)
        if self.publisher is not None:  # None on the first connect: start() publishes then
            self._republish()
        if self.procedure_catalog is not None:  # None on the first connect, as above
            self.procedure_catalog.publish(bus)
        self._sweep_retained(bus)

    def _sweep_retained(self, bus: Bus) -> None:
        """Clear retained state of counters and services that no longer exist."""
        filters = (self.topics.counter_state_filter(), self.topics.service_state_filter())

        def on_retained(message: BusMessage) -> None:
            parsed = self.topics.parse(message.topic)
            if not message.retain or not message.payload or parsed is None:
                return
            known = (parsed.key in self.setup.counters
                     if parsed.kind is contract.TopicKind.COUNTER_STATE
                     else parsed.key in self.setup.services)
            if not known:
                log.info("clearing retained %s of a removed counter/service", message.topic)
                bus.publish_contract(message.topic, contract.CLEAR_RETAINED)

        for topic_filter in filters:
            bus.subscribe(topic_filter, on_retained)

        def stop_sweep() -> None:
            for topic_filter in filters:
                bus.unsubscribe(topic_filter)

        timer = threading.Timer(RETAINED_SWEEP_S, stop_sweep)
        timer.daemon = True
        timer.start()
