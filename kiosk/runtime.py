"""The kiosk process's core: the hub over MQTT, the printer, and the view its pages draw.

:class:`HubKiosk` is the real :class:`~kiosk.backend.KioskBackend`. It keeps the hub's
retained ``service/{code}/state`` through the shared :class:`~motcua.device.DeviceRuntime`,
turns one confirmed tap into one ``issue`` command (the same request id for every retry and
for every repeat of the same tap), prints the ticket, and reports the printer's state on
``device/kiosk/{k}/status`` and to the hub (``printer`` action) whenever it changes.

For dossiers it checks every scanned or typed code with its
:class:`~motcua.dossiers.codes.CodeRule` (:class:`~kiosk.scanning.ScanFeed`), sends the
contract's ``lookup`` command for the good ones, issues return-of-results tickets
(``issue`` with ``dossier``), and keeps the hub's retained procedure catalog
(``procedures``) for the search screen.

Nothing here loses a ticket: a number the hub issued is always shown on screen with its QR,
printed or not.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import OrderedDict
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any, Mapping

from pydantic import ValidationError

from kiosk.backend import (
    IssueOutcome,
    LiveView,
    LookupOutcome,
    PriorityChoice,
    ServiceChoice,
)
from kiosk.printing import TicketPrinter
from kiosk.scanning.feed import ScanEvent, ScanFeed
from kiosk.tickets import ticket_content
from motcua.bus import BusMessage
from motcua.contract import (
    COMMAND_EXPIRY_S,
    DossierView,
    ProcedureCatalog,
    ProcedureInfo,
    Topics,
    TopicKind,
)
from motcua.device import DeviceRuntime, DeviceSettings, unreachable_reply
from motcua.dossiers.codes import DEFAULT_RULE, CodeRule
from motcua.errors import error_object

log = logging.getLogger(__name__)

#: Taps remembered for repeats (a double or triple tap, a page retrying its POST).
REMEMBERED_TAPS = 512
#: How often the printer is asked for its state between tickets.
PRINTER_POLL_S = 30.0
#: Largest procedure catalog read (the broker's packet limit is 256 KB).
MAX_CATALOG_BYTES = 512 * 1024


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
                 command_expiry_s: float = COMMAND_EXPIRY_S,
                 code_rule: CodeRule = DEFAULT_RULE) -> None:
        self.identity = identity
        self.code_rule = code_rule
        self.printer = printer
        self._printer_poll_s = printer_poll_s
        self._changed = threading.Condition()
        self._version = 0
        self._printer_status = "unknown"
        self._print_lock = threading.Lock()
        self._taps: OrderedDict[str, Future] = OrderedDict()
        self._taps_lock = threading.Lock()
        self._lookups: OrderedDict[str, Future] = OrderedDict()
        self._catalog: ProcedureCatalog | None = None
        self._stop = threading.Event()
        self.scans = ScanFeed(code_rule, listener=self._bump)
        self.topics = Topics(identity.site)
        self._cmd_topic = self.topics.kiosk_cmd(identity.kiosk_id)
        self.runtime = DeviceRuntime(
            DeviceSettings(url=mqtt_url, site=identity.site, kind="kiosk",
                           device_id=identity.kiosk_id,
                           state_filters=(self.topics.service_state_filter(),),
                           command_expiry_s=command_expiry_s),
            reply_topic=self.topics.kiosk_reply(identity.kiosk_id),
            presence=lambda: {"printer": self._printer_status},
            listener=self._bump,
            extra_subscriptions={self.topics.procedures(): self._on_procedures})
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
        catalog = self._catalog
        return LiveView(version=version, online=self.runtime.hub_reachable,
                        center_name=self.identity.center_name, services=self._services(),
                        priorities=self.identity.priorities, printer=self._printer_status,
                        scan=self.scans.latest,
                        procedures_version=catalog.version if catalog else None)

    def wait_for_change(self, after_version: int, timeout_s: float) -> LiveView:
        with self._changed:
            self._changed.wait_for(
                lambda: self._version > after_version or self._stop.is_set(), timeout_s)
        return self.live()

    def issue(self, tap_id: str, service: str, priority: str,
              dossier: str | None = None) -> IssueOutcome:
        future, first = _remember(self._taps, self._taps_lock, tap_id)
        if not first:
            log.info("tap %s repeated: answering with its first outcome", tap_id)
            return future.result()
        try:
            outcome = self._issue_once(service, priority, dossier)
        except Exception:  # the page must get an answer, and the tap must not be retried
            log.exception("issuing for tap %s failed", tap_id)
            outcome = _refusal(unreachable_reply("")["error"], self._printer_status)
        future.set_result(outcome)
        return outcome

    def lookup(self, request_id: str, code: str) -> LookupOutcome:
        future, first = _remember(self._lookups, self._taps_lock, request_id)
        if not first:
            return future.result()
        try:
            outcome = self._lookup_once(code)
        except Exception:  # the page must get an answer
            log.exception("lookup %s failed", request_id)
            outcome = _lookup_refusal(error_object("hub_unreachable"))
        future.set_result(outcome)
        return outcome

    def scanned(self, raw: str, source: str) -> ScanEvent:
        return self.scans.offer(raw, source)

    def procedures(self) -> tuple[ProcedureInfo, ...]:
        catalog = self._catalog
        return tuple(catalog.procedures) if catalog else ()

    # ------------------------------------------------------------ issuing

    def _ask(self, action: str, request_id: str, **args: Any) -> dict[str, Any]:
        pending = self.runtime.send(self._cmd_topic, action, request_id=request_id, **args)
        try:
            return pending.result(timeout=self.runtime.settings.command_expiry_s + 5)
        except FutureTimeout:
            return unreachable_reply(request_id)

    def _issue_once(self, service: str, priority: str, dossier: str | None) -> IssueOutcome:
        args: dict[str, Any] = {"service": service, "priority": priority}
        if dossier is not None:
            code = self.code_rule.clean(dossier)
            if code is None:
                log.warning("return ticket refused: the dossier code is not valid")
                return _refusal(_invalid_code(), self._printer_status)
            args["dossier"] = dossier = code
        request_id = str(uuid.uuid4())
        log.info("issue %s for %s (%s)%s", request_id, service, priority,
                 f" returning dossier {dossier}" if dossier else "")
        reply = self._ask("issue", request_id, **args)
        if not reply.get("ok") or not isinstance(reply.get("ticket"), dict):
            error = reply.get("error") or error_object("hub_unreachable")
            log.warning("issue %s refused: %s", request_id, error.get("code"))
            return _refusal(error, self._printer_status)
        ticket = reply["ticket"]
        url = f"{self.identity.public_url.rstrip('/')}/t/{ticket['id']}"
        try:
            result = self._print(ticket, url, dossier)
        except Exception:  # the hub issued it: the number and its QR go on screen anyway
            log.exception("printing %s failed", ticket.get("number"))
            return IssueOutcome(ok=True, ticket=ticket, ticket_url=url, printed=False,
                                printer="unknown", dossier=dossier)
        return IssueOutcome(ok=True, ticket=ticket, ticket_url=url, printed=result.printed,
                            printer=result.status, dossier=dossier)

    def _lookup_once(self, raw_code: str) -> LookupOutcome:
        code = self.code_rule.clean(raw_code)
        if code is None:
            log.info("lookup refused by the kiosk: not a dossier code")
            return _lookup_refusal(_invalid_code())
        request_id = str(uuid.uuid4())
        log.info("lookup %s for %s", request_id, code)
        reply = self._ask("lookup", request_id, code=code)
        if not reply.get("ok"):
            error = reply.get("error") or error_object("hub_unreachable")
            log.info("lookup %s refused: %s", request_id, error.get("code"))
            return _lookup_refusal(error)
        try:
            view = DossierView.model_validate(reply.get("dossier"))
        except ValidationError as error:
            # A hub of another version: say the lookup is not available, keep the reason.
            log.error("lookup %s: the hub's dossier does not fit the contract: %s",
                      request_id, error)
            return _lookup_refusal(error_object("not_available", feature="lookup"))
        return LookupOutcome(ok=True, dossier=view.model_dump(mode="json"))

    def _print(self, ticket: Mapping[str, Any], url: str, dossier: str | None = None):
        content = ticket_content(
            ticket, center_name=self.identity.center_name,
            service_name=self._service_name(ticket["service"]),
            priority_label=self._priority_label(ticket.get("priority", "normal")),
            url=url, footer=self.identity.footer,
            dossier=dossier or _reply_dossier(ticket))
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

    # ------------------------------------------------------------ procedures

    def _on_procedures(self, message: BusMessage) -> None:
        """The hub's retained catalog: kept whole when valid, else the last one stays."""
        if not message.payload:
            self._catalog = None
            self._bump()
            return
        if len(message.payload) > MAX_CATALOG_BYTES:
            log.warning("ignored a procedure catalog of %d bytes", len(message.payload))
            return
        try:
            catalog = ProcedureCatalog.model_validate_json(message.payload)
        except ValidationError as error:
            log.warning("ignored a procedure catalog that does not fit the contract: %s",
                        error.errors(include_url=False)[:1])
            return
        if self._catalog is None or catalog.version != self._catalog.version:
            log.info("procedure catalog %s: %d procedures", catalog.version,
                     len(catalog.procedures))
        self._catalog = catalog
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


def _remember(futures: OrderedDict[str, Future], lock: threading.Lock,
              key: str) -> tuple[Future, bool]:
    """The future of ``key`` and whether this call is the first (which must resolve it)."""
    with lock:
        future = futures.get(key)
        if future is not None:
            return future, False
        future = futures[key] = Future()
        while len(futures) > REMEMBERED_TAPS:
            futures.popitem(last=False)
        return future, True


def _reply_dossier(ticket: Mapping[str, Any]) -> str | None:
    dossier = ticket.get("dossier")
    return dossier if isinstance(dossier, str) and dossier else None


def _invalid_code() -> dict[str, Any]:
    return {"code": "invalid_code", "message": "Mã hồ sơ không hợp lệ",
            "message_en": "Not a valid dossier code", "params": {}}


def _lookup_refusal(error: Mapping[str, Any]) -> LookupOutcome:
    return LookupOutcome(ok=False, error_code=str(error.get("code")),
                         message_vi=str(error.get("message") or ""),
                         message_en=str(error.get("message_en") or ""),
                         params=dict(error.get("params") or {}))


def _refusal(error: Mapping[str, Any], printer: str) -> IssueOutcome:
    return IssueOutcome(ok=False, printer=printer, error_code=str(error.get("code")),
                        message_vi=str(error.get("message") or ""),
                        message_en=str(error.get("message_en") or ""),
                        params=dict(error.get("params") or {}))

