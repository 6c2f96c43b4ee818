"""The read port between the hub's lookup surfaces and the dossier store.

The kiosk ``lookup`` action, ``GET /api/v1/dossiers/{code}``, the public lookup page and
the return-of-results check all read dossiers through :class:`DossierReader`; the store
implements it over committed rows (``motcua.store.dossier_store``), so a lookup never
waits behind the writer and never sees a half-written import.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from motcua.contract import DossierView


class DossierReader(Protocol):
    def view(self, code: str, now: dt.datetime) -> DossierView | None:
        """The public (masked) view of the dossier whose canonical code is ``code`` as of
        ``now`` (lateness depends on the day), or None when no such dossier is stored.

        Raises only for a storage failure (``sqlalchemy.exc.SQLAlchemyError``)."""
        ...
