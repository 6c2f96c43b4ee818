"""One lookup of a dossier by a raw code, the same for the kiosk (MQTT) and the web.

:class:`DossierFinder` cleans the code with the site's :class:`~.codes.CodeRule`, asks the
:class:`~.lookup.DossierReader` and charges wrong codes (invalid or unknown) to the
client's :class:`~.wrong_codes.WrongCodeLimiter`, so one kiosk or one web address cannot
walk through codes. Every refusal is a :class:`motcua.errors.WireError` with its
Vietnamese and English messages: ``lookup_rate_limited`` (``retry_s``), ``invalid_code``,
``dossier_not_found`` (``code``) or ``storage_error``. It is read-only and keeps no
state but the limiter, so a repeated lookup simply answers again. Hub side (it imports
the contract and the error catalog), unlike the stdlib-only modules beside it.
"""

from __future__ import annotations

import datetime as dt
import logging

from motcua.contract import DossierView
from motcua.errors import WireError

from .lookup import DossierReader
from .settings import DossierSettings
from .wrong_codes import WrongCodeLimiter

log = logging.getLogger(__name__)


class DossierFinder:
    """Lookups of one site: ``find(raw, client, now)`` returns the public view or raises."""

    def __init__(self, reader: DossierReader, settings: DossierSettings,
                 limiter: WrongCodeLimiter | None = None) -> None:
        self.reader = reader
        self.settings = settings
        self.limiter = limiter or WrongCodeLimiter(settings.wrong_codes_per_minute)

    def find(self, raw: object, client: str, now: dt.datetime) -> DossierView:
        """The masked view of the dossier ``raw`` names, for ``client`` (``kiosk/1``,
        ``web/203.0.113.7``: the key its wrong codes are counted by).

        Raises:
            WireError: ``lookup_rate_limited``, ``invalid_code``, ``dossier_not_found``
                or ``storage_error`` (the database failed; nothing is charged).
        """
        retry_s = self.limiter.retry_after(client)
        if retry_s is not None:
            log.warning("dossier lookup from %s refused: too many wrong codes, retry in %d s",
                        client, retry_s)
            raise WireError("lookup_rate_limited", retry_s=retry_s)
        code = self.settings.code_rule.clean(raw)
        if code is None:
            self.limiter.record_wrong(client)
            log.info("dossier lookup from %s: not a dossier code (%d chars)", client,
                     len(raw) if isinstance(raw, str) else -1)
            raise WireError("invalid_code")
        view = self.read(code, now)
        if view is None:
            self.limiter.record_wrong(client)
            log.info("dossier lookup from %s: no dossier %s", client, code)
            raise WireError("dossier_not_found", dossier=code)
        return view

    def read(self, code: str, now: dt.datetime) -> DossierView | None:
        """The reader's view of the canonical ``code``; a storage failure is a
        ``storage_error`` refusal (logged), never an exception of another kind."""
        try:
            return self.reader.view(code, now)
        except Exception as error:  # noqa: BLE001 - a lookup must never take a worker down
            log.exception("cannot read dossier %s", code)
            raise WireError("storage_error", detail=str(error)) from None
