"""``motcua db upgrade`` / ``motcua db status``: schema migrations of the hub database."""

from __future__ import annotations

import argparse
import logging

from motcua.hub_config import HubConfigError, ensure_sqlite_directory, load_hub_config

# The store (SQLAlchemy, Alembic) is imported by the handlers: every process, devices
# included, builds this parser, and a kiosk must not carry the database code it never uses.

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("db", help="database migrations (cơ sở dữ liệu)")
    actions = parser.add_subparsers(dest="db_action", metavar="ACTION", required=True)
    for name, handler, text in (
        ("upgrade", _upgrade, "migrate the database to the newest schema"),
        ("status", _status, "print the schema revision of the database"),
    ):
        sub = actions.add_parser(name, help=text, description=text)
        sub.add_argument("--config", help="hub TOML file (default: none, example center)")
        sub.add_argument("--db", help="database URL (default: MOTCUA_DB_URL or the config's)")
        sub.set_defaults(handler=handler)


def _engine(args: argparse.Namespace):
    from motcua.store import create_database_engine

    try:
        config = load_hub_config(args.config)
    except HubConfigError as exc:
        raise SystemExit(f"motcua db: {exc}") from None
    url = args.db or config.db_url
    ensure_sqlite_directory(url)
    return create_database_engine(url)


def _upgrade(args: argparse.Namespace) -> int:
    from motcua.store import upgrade
    from motcua.store.migrate import current_revision

    engine = _engine(args)
    upgrade(engine)
    print(f"database at revision {current_revision(engine)}")
    return 0


def _status(args: argparse.Namespace) -> int:
    from motcua.store.migrate import current_revision

    revision = current_revision(_engine(args))
    print(f"database at revision {revision or 'none (empty database)'}")
    return 0 if revision else 1
