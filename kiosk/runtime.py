"""The kiosk process's core: the hub over MQTT, the printer, and the view its pages draw.

:class:`HubKiosk` is the real :class:`~kiosk.backend.KioskBackend`. It keeps the hub's
retained ``service/{code}/state`` through the shared :class:`~motcua.device.DeviceRuntime`,
turns one confirmed tap into one ``issue`` command (the same request id for every retry and
for every repeat of the same tap), prints the ticket, and reports the printer's state on
``device/kiosk/{k}/status`` and to the hub (``printer`` action) whenever it changes.

Nothing here loses a ticket: a number the hub issued is always shown on screen with its QR,
printed or not.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from collections import OrderedDict
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any, Mapping

from kiosk.backend import IssueOutcome, LiveView, PriorityChoice, ServiceChoice
from kiosk.printing import TicketContent, TicketPrinter
from motcua.contract import COMMAND_EXPIRY_S, Topics, TopicKind
from motcua.device import DeviceRuntime, DeviceSettings, unreachable_reply
from motcua.errors import error_object

log = logging.getLogger(__name__)

#: Taps remembered for repeats (a double or triple tap, a page retrying its POST).
REMEMBERED_TAPS = 512
#: How often the printer is asked for its state between tickets.
PRINTER_POLL_S = 30.0


@dataclass(frozen=True)
class KioskIdentity:
    """What the kiosk says of itself on tickets and to the hub."""

    kiosk_id: str
    site: str
    center_name: str
    #: Where phones reach the hub: the ticket QR opens ``{public_url}/t/{ticket id}``.
    public_url: str
    #: Service codes offered, in this order; empty: every service the hub publishes.
    services: tuple[str, ...] = ()
    priorities: tuple[PriorityChoice, ...] = ()
    footer: tuple[str, ...] = ()


class HubKiosk:
    """The kiosk backend: thread-safe; ``start()`` then serve pages; ``close()`` at the end."""

    def __init__(self, identity: KioskIdentity, *, mqtt_url: str, printer: TicketPrinter,
                 printer_poll_s: float = PRINTER_POLL_S,
                 command_expiry_s: float = COMMAND_EXPIRY_S) -> None:
        self.identity = identity
        self.printer = printer
        self._printer_poll_s = printer_poll_s
        self._changed = threading.Condition()
        self._version = 0
        self._printer_status = "unknown"
        self._print_lock = threading.Lock()
        self._taps: OrderedDict[str, Future] = OrderedDict()
        self._taps_lock = threading.Lock()
        self._stop = threading.Event()
        self.topics = Topics(identity.site)
        self._cmd_topic = self.topics.kiosk_cmd(identity.kiosk_id)
        self.runtime = DeviceRuntime(
            DeviceSettings(url=mqtt_url, site=identity.site, kind="kiosk",
                           device_id=identity.kiosk_id,
                           state_filters=(self.topics.service_state_filter(),),
                           command_expiry_s=command_expiry_s),
            reply_topic=self.topics.kiosk_reply(identity.kiosk_id),
            presence=lambda: {"printer": self._printer_status},
            listener=self._bump)
        self._poller = threading.Thread(target=self._poll_printer, name="kiosk-printer",
                                        daemon=True)

    # ------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """Read the printer, connect (in the background), start the printer poll."""
        self._set_printer_status(self._read_printer_status(), report=False)
        self.runtime.start()
        self._poller.start()

    def close(self) -> None:
        self._stop.set()
        self.runtime.close()
        with self._changed:
            self._changed.notify_all()

    # ------------------------------------------------------------ KioskBackend

    def live(self) -> LiveView:
        with self._changed:
            version = self._version
        return LiveView(version=version, online=self.runtime.hub_reachable,
                        center_name=self.identity.center_name, services=self._services(),
                        priorities=self.identity.priorities, printer=self._printer_status)

    def wait_for_change(self, after_version: int, timeout_s: float) -> LiveView:
        with self._changed:
            self._changed.wait_for(
                lambda: self._version > after_version or self._stop.is_set(), timeout_s)
        return self.live()

    def issue(self, tap_id: str, service: str, priority: str) -> IssueOutcome:
        with self._taps_lock:
            future = self._taps.get(tap_id)
            first = future is None
            if first:
                future = Future()
                self._taps[tap_id] = future
                while len(self._taps) > REMEMBERED_TAPS:
                    self._taps.popitem(last=False)
        if not first:
            log.info("tap %s repeated: answering with its first outcome", tap_id)
            return future.result()
        try:
            outcome = self._issue_once(service, priority)
        except Exception:  # the page must get an answer, and the tap must not be retried
            log.exception("issuing for tap %s failed", tap_id)
            outcome = _refusal(unreachable_reply("")["error"], self._printer_status)
        future.set_result(outcome)
        return outcome

    # ------------------------------------------------------------ issuing

    def _issue_once(self, service: str, priority: str) -> IssueOutcome:
        request_id = str(uuid.uuid4())
        log.info("issue %s for %s (%s)", request_id, service, priority)
        pending = self.runtime.send(self._cmd_topic, "issue", request_id=request_id,
                                    service=service, priority=priority)
        try:
            reply = pending.result(timeout=self.runtime.settings.command_expiry_s + 5)
        except FutureTimeout:
            reply = unreachable_reply(request_id)
        if not reply.get("ok") or not isinstance(reply.get("ticket"), dict):
            error = reply.get("error") or error_object("hub_unreachable")
            log.warning("issue %s refused: %s", request_id, error.get("code"))
            return _refusal(error, self._printer_status)
        ticket = reply["ticket"]
        url = f"{self.identity.public_url.rstrip('/')}/t/{ticket['id']}"
        try:
            result = self._print(ticket, url)
        except Exception:  # the hub issued it: the number and its QR go on screen anyway
            log.exception("printing %s failed", ticket.get("number"))
            return IssueOutcome(ok=True, ticket=ticket, ticket_url=url, printed=False,
                                printer="unknown")
        return IssueOutcome(ok=True, ticket=ticket, ticket_url=url, printed=result.printed,
                            printer=result.status)

    def _print(self, ticket: Mapping[str, Any], url: str):
        content = TicketContent(
            center_name=self.identity.center_name,
            service_name=self._service_name(ticket["service"]),
            number=ticket["number"],
            priority_label=self._priority_label(ticket.get("priority", "normal")),
            issued_at=dt.datetime.fromisoformat(ticket["issued_at"]),
            waiting_ahead=int(ticket.get("waiting_ahead") or 0),
            est_wait_s=ticket.get("est_wait_s"),
            url=url,
            footer=self.identity.footer,
        )
        with self._print_lock:
            result = self.printer.print_ticket(content)
        if result.printed:
            log.info("printed %s (%s)", ticket["number"], result.status)
        else:
            log.error("ticket %s NOT printed (%s: %s): shown on screen with its QR",
                      ticket["number"], result.status, result.detail)
        self._set_printer_status(result.status)
        return result

    # ------------------------------------------------------------ printer state

    def _read_printer_status(self) -> str:
        with self._print_lock:
            try:
                return self.printer.status()
            except Exception:  # a printer driver must never take the kiosk down
                log.exception("reading the printer status failed")
                return "unknown"

    def _poll_printer(self) -> None:
        while not self._stop.wait(self._printer_poll_s):
            self._set_printer_status(self._read_printer_status())

    def _set_printer_status(self, status: str, *, report: bool = True) -> None:
        if status == self._printer_status:
            return
        log.warning("printer: %s -> %s", self._printer_status, status)
        self._printer_status = status
        if report:
            self.runtime.publish_presence()
            if self.runtime.broker_connected:
                # The hub keeps the last state per kiosk (GET /api/v1/devices).
                self.runtime.send(self._cmd_topic, "printer", status=status)
        self._bump()

    # ------------------------------------------------------------ view

    def _bump(self) -> None:
        with self._changed:
            self._version += 1
            self._changed.notify_all()

    def _service_states(self) -> dict[str, Mapping[str, Any]]:
        states = self.runtime.cache.matching(self._is_service_state)
        return {body["code"]: body for body in states.values() if isinstance(body.get("code"), str)}

    def _is_service_state(self, topic: str) -> bool:
        parsed = self.topics.parse(topic)
        return parsed is not None and parsed.kind is TopicKind.SERVICE_STATE

    def _services(self) -> tuple[ServiceChoice, ...]:
        states = self._service_states()
        codes = self.identity.services or tuple(
            sorted(states, key=lambda code: (str(states[code].get("prefix")), code)))
        return tuple(_service_choice(states[code]) for code in codes if code in states)

    def _service_name(self, code: str) -> str:
        state = self._service_states().get(code)
        return str(state.get("name") or code) if state else code

    def _priority_label(self, priority: str) -> str | None:
        if priority == "normal":
            return None
        for choice in self.identity.priorities:
            if choice.code == priority:
                return choice.label_vi
        return "Ưu tiên"


def _service_choice(state: Mapping[str, Any]) -> ServiceChoice:
    return ServiceChoice(
        code=state["code"], name=str(state.get("name") or state["code"]),
        prefix=str(state.get("prefix") or ""), field=str(state.get("field") or ""),
        waiting=int(state.get("waiting") or 0), est_wait_s=state.get("est_wait_s"),
        issuing=state.get("issuing") is not False)


def _refusal(error: Mapping[str, Any], printer: str) -> IssueOutcome:
    return IssueOutcome(ok=False, printer=printer, error_code=str(error.get("code")),
                        message_vi=str(error.get("message") or ""),
                        message_en=str(error.get("message_en") or ""),
                        params=dict(error.get("params") or {}))

