"""What the kiosk's touch pages need from the kiosk process, as one small protocol.

The web layer (:mod:`kiosk.web`) only sees :class:`KioskBackend`: the live view of the
center it draws (services with their waiting counts, priority groups, whether the hub is
reachable, the printer's state, the latest scan), the retained procedure catalog, and
three verbs: :meth:`KioskBackend.issue` (a queue ticket, or a return-of-results ticket for
a dossier), :meth:`KioskBackend.lookup` (a dossier by its code) and
:meth:`KioskBackend.scanned` (a code read by a scanner). The real
backend (:mod:`kiosk.runtime`) talks MQTT to the hub and drives the printer; tests give
the pages a fake one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from kiosk.scanning.feed import ScanEvent
from motcua.contract import ProcedureInfo

#: Printer states of contract v1 (``device/kiosk/{k}/status``): a printer that does not
#: answer is ``unknown``, never ``ok``.
PRINTER_STATES = ("ok", "paper_low", "paper_out", "offline", "unknown")


@dataclass(frozen=True)
class ServiceChoice:
    """One service button: what the hub's retained ``service/{code}/state`` says of it."""

    code: str
    name: str
    prefix: str
    field: str = ""
    waiting: int = 0
    est_wait_s: int | None = None
    #: The hub issues for it now (issuing hours, daily cap, service active).
    issuing: bool = True


@dataclass(frozen=True)
class PriorityChoice:
    """One priority group the kiosk offers (DOMAIN.md section 5); ``normal`` is not listed."""

    code: str
    label_vi: str
    label_en: str


@dataclass(frozen=True)
class LiveView:
    """Everything a kiosk screen shows, at one instant; never mutated.

    ``version`` grows by one at every change, so a page stream sends only new views.
    ``online`` is false while the broker or the hub is unreachable: the pages then show
    the out-of-service screen.
    """

    version: int
    online: bool
    center_name: str
    services: tuple[ServiceChoice, ...] = ()
    priorities: tuple[PriorityChoice, ...] = ()
    printer: str = "unknown"
    #: The latest scan (its ``seq`` grows): the pages open the timeline for each new one.
    scan: ScanEvent | None = None
    #: ``version`` of the procedure catalog the kiosk holds; None: no catalog (yet).
    procedures_version: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "online": self.online,
            "center_name": self.center_name,
            "printer": self.printer,
            "services": [vars(service) for service in self.services],
            "priorities": [vars(priority) for priority in self.priorities],
            "scan": self.scan.as_json() if self.scan else None,
            "procedures_version": self.procedures_version,
        }


@dataclass(frozen=True)
class IssueOutcome:
    """The answer to one confirmed tap.

    ``ok`` with ``ticket`` (the contract's ticket object) when the hub issued a number;
    ``printed`` tells whether the paper came out. When it did not, the page shows the number
    and ``ticket_url`` as a QR large enough to photograph. When ``ok`` is false nothing was
    issued and ``error_code`` / ``message_vi`` / ``message_en`` say why (the hub's error
    object, or the kiosk's own ``hub_unreachable``).
    """

    ok: bool
    ticket: dict[str, Any] | None = None
    ticket_url: str | None = None
    printed: bool = False
    printer: str = "unknown"
    error_code: str | None = None
    message_vi: str = ""
    message_en: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    #: The dossier code of a return-of-results ticket (trả kết quả), else None.
    dossier: str | None = None

    def as_json(self) -> dict[str, Any]:
        return dict(vars(self))


#: Refusals of a lookup the pages explain in their own calm words (kiosk/web/messages).
LOOKUP_ERRORS = ("invalid_code", "dossier_not_found", "rate_limited", "hub_unreachable",
                 "not_available")


@dataclass(frozen=True)
class LookupOutcome:
    """The answer to one dossier lookup.

    ``ok`` with ``dossier``: the contract's ``DossierView`` as JSON (masked applicant,
    status, lateness, timeline ...). Otherwise ``error_code`` says why — one of
    :data:`LOOKUP_ERRORS` usually (``invalid_code`` is also the kiosk's own answer to a
    code its rule refuses, sent nowhere) — with the hub's texts when it gave some.
    """

    ok: bool
    dossier: dict[str, Any] | None = None
    error_code: str | None = None
    message_vi: str = ""
    message_en: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return dict(vars(self))


class KioskBackend(Protocol):
    def live(self) -> LiveView:
        """The current view (cheap: no I/O)."""

    def wait_for_change(self, after_version: int, timeout_s: float) -> LiveView:
        """Block until the view's version is above ``after_version`` or the timeout passed;
        return the current view either way."""

    def issue(self, tap_id: str, service: str, priority: str,
              dossier: str | None = None) -> IssueOutcome:
        """Issue (once per ``tap_id``, whatever the retries) and print a ticket.

        Blocks until the hub answered or the command expired (at most the contract's 30 s).
        The same ``tap_id`` again returns the first outcome without a second ticket.
        With ``dossier`` (a code) it is a return-of-results ticket for that dossier: the
        code is checked by the kiosk's rule first and printed under "TRẢ KẾT QUẢ".
        """

    def lookup(self, request_id: str, code: str) -> LookupOutcome:
        """Look a dossier up by its code (once per ``request_id``, like ``issue``).

        The code is checked by the kiosk's rule first: a refused one is ``invalid_code``
        and never sent. Blocks at most the contract's 30 s.
        """

    def scanned(self, raw: str, source: str) -> ScanEvent:
        """A scanner read ``raw``: check it, make it the view's latest scan, return it."""

    def procedures(self) -> tuple[ProcedureInfo, ...]:
        """The procedure catalog last received from the hub (cheap: no I/O)."""
