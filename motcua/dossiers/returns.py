"""The return-of-results ticket: a kiosk ``issue`` with ``dossier`` set.

:class:`ReturnTicketCheck` runs on the writer thread (the hub's dispatcher intercept),
after the idempotence check and before the engine decides, so the state it reads is
exactly the last commit and no second ticket can slip in between its check and the
issue. A return ticket is given only when

- the site has a ``return_service`` and the command asks for that service
  (else ``invalid_argument`` ``service``);
- the code is a dossier code (``invalid_code``) of a stored dossier
  (``dossier_not_found``) that is ready for return (``dossier_not_ready``); these wrong
  codes count against the kiosk like wrong lookups (``lookup_rate_limited``).

If a ticket for that dossier is still open today (waiting, called, being served or
held), the answer is that ticket, not a second one. Otherwise the request goes on to the
engine with the code in its canonical form, and the ticket carries it
(``Ticket.dossier``) to the clerk who calls it.
"""

from __future__ import annotations

import datetime as dt
import logging

from motcua.dispatch import Request, Result
from motcua.domain import SiteState
from motcua.domain.model import FINAL_STATUSES
from motcua.domain.views import ticket_view
from motcua.errors import WireError
from motcua.rate_limit import kiosk_of

from .finder import DossierFinder
from .settings import DossierSettings

log = logging.getLogger(__name__)


def lookup_client(source: str) -> str:
    """The key wrong codes are counted by: a kiosk is the same kiosk over MQTT and HTTP."""
    kiosk = kiosk_of(source)
    return f"kiosk/{kiosk}" if kiosk is not None else source


class ReturnTicketCheck:
    """Judge ``issue`` commands that name a dossier; see the module docstring."""

    def __init__(self, finder: DossierFinder | None, settings: DossierSettings) -> None:
        self.finder = finder
        self.settings = settings

    def __call__(self, request: Request, state: SiteState, now: dt.datetime) -> Result | None:
        """None when ``request`` may go on to the engine; otherwise its answer."""
        command = request.command
        raw = command.args.get("dossier")
        if command.action != "issue" or raw is None:
            return None
        if self.finder is None:
            return _refusal(request, WireError("not_available", feature="return_ticket"))
        service = self.settings.return_service
        if service is None or command.args.get("service") != service:
            log.info("return ticket from %s refused: service %.64r is not the return "
                     "service %r", request.source, command.args.get("service"), service)
            return _refusal(request, WireError("invalid_argument", field="service"))
        try:
            view = self.finder.find(raw, lookup_client(request.source), now)
        except WireError as error:
            return _refusal(request, error)
        if not view.returnable:
            log.info("return ticket from %s refused: dossier %s not ready (status %d)",
                     request.source, view.code, view.status)
            return _refusal(request, WireError("dossier_not_ready", dossier=view.code))
        for ticket in state.tickets.values():
            if ticket.dossier == view.code and ticket.status not in FINAL_STATUSES:
                log.info("return ticket for %s from %s: already %s (%s)", view.code,
                         request.source, ticket.number, ticket.status.value)
                return Result(request.request_id, True, ticket_view(state, ticket),
                              action=command.action)
        if raw != view.code and isinstance(command.args, dict):
            # Canonical code on the ticket, so the clerk sees it as printed and the check
            # above finds it next time. The request's hash was taken before this, so a
            # repeat of the same command still matches its first answer.
            command.args["dossier"] = view.code
        return None


def _refusal(request: Request, error: WireError) -> Result:
    return Result(request.request_id, False, None, error.as_dict(),
                  action=request.command.action)
