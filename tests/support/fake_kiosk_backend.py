"""A kiosk backend for the page tests and demos: no MQTT, no printer, all settable.

:class:`FakeKioskBackend` keeps the promises of :class:`kiosk.backend.KioskBackend`:
views are immutable and versioned, ``wait_for_change`` blocks on a condition, and
``issue`` issues once per ``tap_id`` (a repeated tap id returns the first outcome). A test
sets what the hub would say (online or not, services, counts) and how the next issue
ends (refused with an error, or issued but not printed), then reads ``issue_calls``.

Run it as a demo: ``python -m tests.support.fake_kiosk_backend [PORT]`` serves the touch
page on 127.0.0.1 with three sample services.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time
from dataclasses import dataclass

from kiosk.backend import IssueOutcome, LiveView, PriorityChoice, ServiceChoice

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
                 ticket_url_base: str = "http://hub.example/t") -> None:
        self._condition = threading.Condition()
        self._view = LiveView(version=1, online=online, center_name=center_name,
                              services=tuple(services), priorities=tuple(priorities),
                              printer=printer)
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

    def issue(self, tap_id: str, service: str, priority: str) -> IssueOutcome:
        with self._condition:
            self.issue_calls.append(IssueCall(tap_id, service, priority))
            if tap_id in self._outcomes:
                return self._outcomes[tap_id]
        if self.issue_delay_s:
            time.sleep(self.issue_delay_s)
        with self._condition:
            if tap_id in self._outcomes:  # a retry that raced the first call
                return self._outcomes[tap_id]
            outcome = self._decide(tap_id, service, priority)
            self._outcomes[tap_id] = outcome
            return outcome

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

    def _decide(self, tap_id: str, code: str, priority: str) -> IssueOutcome:
        # Called with the condition held.
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
                               printed=not self._print_fails, printer=printer)
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
    server = serve(create_kiosk_app(FakeKioskBackend(), KioskWebSettings()),
                   "127.0.0.1", port, threads=8)
    sys.stderr.write(f"kiosk demo on {server.url}/\n")
    server.run()


if __name__ == "__main__":  # pragma: no cover
    main()
