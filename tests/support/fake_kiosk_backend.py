"""A kiosk backend for the page tests and demos: no MQTT, no printer, all settable.

:class:`FakeKioskBackend` keeps the promises of :class:`kiosk.backend.KioskBackend`:
views are immutable and versioned, ``wait_for_change`` blocks on a condition, and
``issue`` issues once per ``tap_id`` (a repeated tap id returns the first outcome). A test
sets what the hub would say (online or not, services, counts, the dossiers it knows, the
procedure catalog) and how the next issue or lookup ends (refused with an error, or
issued but not printed), then reads ``issue_calls`` and ``lookup_calls``. Scans go
through the real :class:`~kiosk.scanning.ScanFeed` (the code rule), and with
``ticket_printer`` (a real :class:`~kiosk.printing.TicketPrinter`, e.g. the dummy
transport) every issued ticket is printed as the kiosk process prints it.

Run it as a demo: ``python -m tests.support.fake_kiosk_backend [PORT]`` serves the touch
page on 127.0.0.1 with three sample services.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time
from dataclasses import dataclass

from typing import Any

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
from motcua.contract import ProcedureInfo
from motcua.dossiers.codes import DEFAULT_RULE, CodeRule

#: Priority groups as the example center config labels them (motcua/data/example_center.toml).
SAMPLE_PRIORITIES = (
    PriorityChoice("elderly", "Người cao tuổi", "Older people"),
    PriorityChoice("disabled", "Người khuyết tật", "People with disabilities"),
    PriorityChoice("pregnant", "Phụ nữ có thai", "Pregnant women"),
    PriorityChoice("merit", "Người có công với cách mạng", "People with merit to the revolution"),
    PriorityChoice("child", "Người đi cùng trẻ nhỏ", "People with small children"),
)

SAMPLE_SERVICES = (
    ServiceChoice("dat-dai", "Đăng ký đất đai", "A", "Đất đai", waiting=7, est_wait_s=840),
    ServiceChoice("giao-dich", "Đăng ký giao dịch bảo đảm", "B", "Đất đai", waiting=0,
                  est_wait_s=0),
    ServiceChoice("ho-tich", "Hộ tịch — khai sinh, kết hôn", "C", "Tư pháp – Hộ tịch",
                  waiting=3, est_wait_s=None),
    ServiceChoice("chung-thuc", "Chứng thực bản sao", "D", "Tư pháp – Hộ tịch", waiting=12,
                  est_wait_s=1500, issuing=False),
    ServiceChoice("kinh-doanh", "Đăng ký hộ kinh doanh", "E", "Kinh doanh – Đầu tư",
                  waiting=2, est_wait_s=420),
    ServiceChoice("xay-dung", "Cấp giấy phép xây dựng", "F", "Xây dựng", waiting=5,
                  est_wait_s=1260),
)

CENTER_NAME = "Trung tâm Phục vụ hành chính công phường Bến Nghé"


@dataclass(frozen=True)
class IssueCall:
    """One call of :meth:`FakeKioskBackend.issue`, first or repeated."""

    tap_id: str
    service: str
    priority: str
    dossier: str | None = None


@dataclass(frozen=True)
class LookupCall:
    request_id: str
    code: str


class FakeKioskBackend:
    """A settable :class:`kiosk.backend.KioskBackend`.

    Attributes:
        issue_calls: every ``issue`` call, in order, repeats included.
        issued: the outcome of each distinct ``tap_id`` that issued a ticket, in order.
        issue_delay_s: how long ``issue`` blocks before answering (a slow hub).
        ticket_url_base: the hub's public ticket page, ``{base}/t/{id}``.
    """

    def __init__(self, *, online: bool = True, center_name: str = CENTER_NAME,
                 services: tuple[ServiceChoice, ...] = SAMPLE_SERVICES,
                 priorities: tuple[PriorityChoice, ...] = SAMPLE_PRIORITIES,
                 printer: str = "ok", first_number: int = 1,
                 ticket_url_base: str = "http://hub.example/t",
                 dossiers: dict[str, dict[str, Any]] | None = None,
                 procedures: tuple[ProcedureInfo, ...] = (),
                 ticket_printer: TicketPrinter | None = None,
                 code_rule: CodeRule = DEFAULT_RULE) -> None:
        self._condition = threading.Condition()
        self._view = LiveView(version=1, online=online, center_name=center_name,
                              services=tuple(services), priorities=tuple(priorities),
                              printer=printer,
                              procedures_version="v1" if procedures else None)
        self.dossiers = dict(dossiers or {})
        self._procedures = tuple(procedures)
        self.ticket_printer = ticket_printer
        self.code_rule = code_rule
        self.scans = ScanFeed(code_rule, listener=self._scan_seen)
        self.lookup_calls: list[LookupCall] = []
        self.lookup_delay_s = 0.0
        self._lookup_refusal: tuple[str, str, str, dict[str, Any]] | None = None
        self._next_number = {service.code: first_number for service in services}
        self._outcomes: dict[str, IssueOutcome] = {}
        self._refusal: tuple[str, str, str] | None = None
        self._print_fails = False
        self.issue_calls: list[IssueCall] = []
        self.issued: list[IssueOutcome] = []
        self.issue_delay_s = 0.0
        self.ticket_url_base = ticket_url_base

    # ---- KioskBackend --------------------------------------------------------------
    def live(self) -> LiveView:
        with self._condition:
            return self._view

    def wait_for_change(self, after_version: int, timeout_s: float) -> LiveView:
        with self._condition:
            self._condition.wait_for(lambda: self._view.version > after_version, timeout_s)
            return self._view

    def issue(self, tap_id: str, service: str, priority: str,
              dossier: str | None = None) -> IssueOutcome:
        with self._condition:
            self.issue_calls.append(IssueCall(tap_id, service, priority, dossier))
            if tap_id in self._outcomes:
                return self._outcomes[tap_id]
        if self.issue_delay_s:
            time.sleep(self.issue_delay_s)
        with self._condition:
            if tap_id in self._outcomes:  # a retry that raced the first call
                return self._outcomes[tap_id]
            outcome = self._decide(tap_id, service, priority, dossier)
            self._outcomes[tap_id] = outcome
        return self._printed(outcome)

    def lookup(self, request_id: str, code: str) -> LookupOutcome:
        with self._condition:
            self.lookup_calls.append(LookupCall(request_id, code))
        if self.lookup_delay_s:
            time.sleep(self.lookup_delay_s)
        clean = self.code_rule.clean(code)
        with self._condition:
            if clean is None:
                return LookupOutcome(ok=False, error_code="invalid_code",
                                     message_vi="Mã hồ sơ không hợp lệ",
                                     message_en="Not a valid dossier code")
            if self._lookup_refusal is not None:
                error_code, message_vi, message_en, params = self._lookup_refusal
                self._lookup_refusal = None
                return LookupOutcome(ok=False, error_code=error_code, message_vi=message_vi,
                                     message_en=message_en, params=params)
            dossier = self.dossiers.get(clean)
        if dossier is None:
            return LookupOutcome(ok=False, error_code="dossier_not_found",
                                 message_vi=f"Không tìm thấy hồ sơ {clean}",
                                 message_en=f"No dossier {clean}", params={"code": clean})
        return LookupOutcome(ok=True, dossier=dossier)

    def scanned(self, raw: str, source: str) -> ScanEvent:
        return self.scans.offer(raw, source)

    def procedures(self) -> tuple[ProcedureInfo, ...]:
        with self._condition:
            return self._procedures

    # ---- settings a test changes -------------------------------------------------------
    def set_online(self, online: bool) -> None:
        self._change(online=online)

    def set_printer(self, printer: str) -> None:
        self._change(printer=printer)

    def set_services(self, services: tuple[ServiceChoice, ...]) -> None:
        with self._condition:
            for service in services:
                self._next_number.setdefault(service.code, 1)
        self._change(services=tuple(services))

    def set_counts(self, code: str, waiting: int, est_wait_s: int | None) -> None:
        with self._condition:
            services = tuple(
                dataclasses.replace(service, waiting=waiting, est_wait_s=est_wait_s)
                if service.code == code else service for service in self._view.services)
        self._change(services=services)

    def refuse_next(self, error_code: str, message_vi: str, message_en: str) -> None:
        """The next new tap is refused with this error (once)."""
        with self._condition:
            self._refusal = (error_code, message_vi, message_en)

    def refuse_next_lookup(self, error_code: str, message_vi: str = "", message_en: str = "",
                           **params: Any) -> None:
        """The next lookup of a valid code is refused with this error (once)."""
        with self._condition:
            self._lookup_refusal = (error_code, message_vi, message_en, params)

    def set_procedures(self, procedures: tuple[ProcedureInfo, ...], version: str) -> None:
        with self._condition:
            self._procedures = tuple(procedures)
        self._change(procedures_version=version)

    def fail_printing(self, fails: bool = True) -> None:
        """Tickets are issued but the paper does not come out (``printed=False``)."""
        with self._condition:
            self._print_fails = fails

    # ---- inside ----------------------------------------------------------------------
    def _change(self, **changes) -> None:
        with self._condition:
            self._view = dataclasses.replace(self._view, version=self._view.version + 1,
                                             **changes)
            self._condition.notify_all()

    def _scan_seen(self) -> None:
        self._change(scan=self.scans.latest)

    def _printed(self, outcome: IssueOutcome) -> IssueOutcome:
        """Print an issued ticket on ``ticket_printer`` as the kiosk process does."""
        if not outcome.ok or self.ticket_printer is None or outcome.ticket is None:
            return outcome
        ticket = outcome.ticket
        service = next((s for s in self._view.services if s.code == ticket["service"]), None)
        result = self.ticket_printer.print_ticket(ticket_content(
            ticket, center_name=self._view.center_name,
            service_name=service.name if service else ticket["service"],
            priority_label=None, url=outcome.ticket_url or "", dossier=outcome.dossier))
        return dataclasses.replace(outcome, printed=result.printed, printer=result.status)

    def _decide(self, tap_id: str, code: str, priority: str,
                dossier: str | None = None) -> IssueOutcome:
        # Called with the condition held.
        if dossier is not None:
            dossier = self.code_rule.clean(dossier)
            view = self.dossiers.get(dossier) if dossier else None
            if view is None or not view.get("returnable"):
                return IssueOutcome(ok=False, error_code="dossier_not_ready",
                                    message_vi="Hồ sơ chưa có kết quả để trả",
                                    message_en="The dossier is not ready for return",
                                    printer=self._view.printer)
        if self._refusal is not None:
            error_code, message_vi, message_en = self._refusal
            self._refusal = None
            return IssueOutcome(ok=False, error_code=error_code, message_vi=message_vi,
                                message_en=message_en, printer=self._view.printer)
        service = next((s for s in self._view.services if s.code == code), None)
        if service is None:
            return IssueOutcome(ok=False, error_code="unknown_service",
                                message_vi=f"Không có dịch vụ {code}.",
                                message_en=f"There is no service {code}.",
                                params={"service": code}, printer=self._view.printer)
        number = f"{service.prefix}{self._next_number[code]:03d}"
        self._next_number[code] += 1
        ticket_id = f"tk-{tap_id[:8]}"
        ticket = {
            "id": ticket_id, "number": number, "service": code, "prefix": service.prefix,
            "priority": priority, "status": "waiting", "counter": None,
            "issued_at": dt.datetime(2026, 11, 30, 8, 15, tzinfo=dt.timezone.utc).isoformat(),
            "waiting_ahead": service.waiting, "est_wait_s": service.est_wait_s,
        }
        printer = "paper_out" if self._print_fails else self._view.printer
        outcome = IssueOutcome(ok=True, ticket=ticket,
                               ticket_url=f"{self.ticket_url_base}/{ticket_id}",
                               printed=not self._print_fails, printer=printer,
                               dossier=dossier)
        self.issued.append(outcome)
        services = tuple(dataclasses.replace(s, waiting=s.waiting + 1) if s.code == code else s
                         for s in self._view.services)
        self._view = dataclasses.replace(self._view, version=self._view.version + 1,
                                         services=services, printer=printer)
        self._condition.notify_all()
        return outcome


def main(argv: list[str] | None = None) -> None:  # pragma: no cover - a demo
    import sys

    from kiosk.web import KioskWebSettings, create_kiosk_app
    from motcua.server.serve import serve

    args = sys.argv[1:] if argv is None else argv
    port = int(args[0]) if args else 8090
    from tests.support.sample_dossiers import (
        RETURN_SERVICE,
        sample_dossiers,
        sample_procedures,
    )

    backend = FakeKioskBackend(services=SAMPLE_SERVICES + (RETURN_SERVICE,),
                               dossiers=sample_dossiers(), procedures=sample_procedures())
    server = serve(create_kiosk_app(backend, KioskWebSettings(wedge=True)),
                   "127.0.0.1", port, threads=8)
    sys.stderr.write(f"kiosk demo on {server.url}/; dossier codes: "
                     f"{', '.join(backend.dossiers)}\n")
    server.run()


if __name__ == "__main__":  # pragma: no cover
    main()
