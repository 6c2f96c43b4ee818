"""Where the hub gets its :class:`~.lookup.DossierReader`: the one place it is built.

The reader over the database (``motcua.store.dossier_store.StoreDossierReader``, with the
holiday calendar of ``motcua.dossiers.calendar``) is imported lazily: a build without the
dossier store runs its hub with dossiers off (kiosk ``lookup`` answers ``not_available``),
instead of failing to start.
"""

from __future__ import annotations

import logging

from .lookup import DossierReader
from .settings import DossierSettings

log = logging.getLogger(__name__)


def open_dossier_reader(engine, site_id: str,
                        settings: DossierSettings) -> DossierReader | None:
    """The site's dossier reader over ``engine``, or None when this build has no store.

    Raises:
        Whatever ``load_calendar`` raises for a bad holiday file (the hub must not start
        with appointment dates computed on a wrong calendar).
    """
    try:
        from motcua.dossiers.calendar import load_calendar
        from motcua.store.dossier_store import StoreDossierReader
    except ImportError as error:
        log.warning("dossier lookup is off: %s", error)
        return None
    calendar = load_calendar(settings.holidays)
    return StoreDossierReader(engine, site_id, calendar, settings.return_service)
