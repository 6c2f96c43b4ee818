"""The hub's database and site id, as the admin commands (``motcua device``, ``motcua
user``) open them: from the hub configuration, migrated, so a fresh install can be set up
before the hub first starts."""

from __future__ import annotations

import argparse

from motcua.hub_config import HubConfigError, ensure_sqlite_directory, load_hub_config
from motcua.site_config import SiteConfigError


def open_site_database(args: argparse.Namespace, command: str):
    """``(engine, site_id)`` from ``args.config`` and ``args.db``; a bad configuration ends
    ``motcua {command}`` with its message."""
    # The store (SQLAlchemy) is imported here: every process builds the parser.
    from motcua.store import create_database_engine, upgrade

    try:
        config = load_hub_config(args.config)
        site_id = config.site_setup().site_id
    except (HubConfigError, SiteConfigError) as exc:
        raise SystemExit(f"motcua {command}: {exc}") from None
    url = args.db or config.db_url
    ensure_sqlite_directory(url)
    engine = create_database_engine(url)
    upgrade(engine)
    return engine, site_id
