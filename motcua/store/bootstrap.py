"""Opening a site's store on first and later starts: migrate, then seed once."""

from __future__ import annotations

import datetime as dt
import logging

from motcua.domain import SiteSetup

from .database import create_database_engine
from .migrate import upgrade
from .site_store import SiteStore

log = logging.getLogger(__name__)


def open_site_store(url: str, setup: SiteSetup, now: dt.datetime, migrate: bool = True) -> SiteStore:
    """Return the store of ``setup.site_id`` at ``url``, migrated and seeded.

    The setup only seeds a new site; an existing site keeps what its database says.
    """
    engine = create_database_engine(url)
    if migrate:
        upgrade(engine)
    store = SiteStore(engine, setup.site_id)
    if store.seed(setup, now):
        log.info("new site %s seeded from configuration", setup.site_id)
    return store
