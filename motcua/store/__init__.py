"""The hub's durable store: SQLAlchemy Core on SQLite (default) or PostgreSQL."""

from .database import create_database_engine, is_sqlite
from .lock import HubLock, HubLockHeld
from .migrate import upgrade
from .site_store import Batch, Loaded, SiteStore, StoreConflict
from .bootstrap import open_site_store

__all__ = [
    "Batch", "HubLock", "HubLockHeld", "Loaded", "SiteStore", "StoreConflict",
    "create_database_engine", "is_sqlite", "open_site_store", "upgrade",
]
