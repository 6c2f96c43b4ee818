"""Where the hub gets its :class:`~.lookup.DossierReader`: the one place it is built."""

from __future__ import annotations

from .calendar import load_calendar
from .lookup import DossierReader
from .settings import DossierSettings


def open_dossier_reader(engine, site_id: str, settings: DossierSettings) -> DossierReader:
    """The site's dossier reader over ``engine``, with the site's holiday calendar.

    Raises:
        Whatever ``load_calendar`` raises for a bad holiday file (the hub must not start
        with appointment dates computed on a wrong calendar).
    """
    from motcua.store.dossier_store import StoreDossierReader  # the hub's database stack

    return StoreDossierReader(engine, site_id, load_calendar(settings.holidays),
                              settings.return_service)
