"""The site's procedure catalog in the ``procedure`` table.

Written by ``motcua procedure import`` (and by ``motcua up`` for the demo) while the hub
may be running, read by the hub when it publishes the catalog. The catalog is not queue
state, so these writes do not go through the dispatcher; each is one short transaction
(``BEGIN IMMEDIATE`` on SQLite) that either writes every row or none.

Two ways to import, both by procedure code:

* :func:`upsert_procedures` adds new codes and updates changed ones; procedures absent
  from the file are left as they are. A file may retire a procedure explicitly with
  ``active = false``. This is the default: a partial file never empties a catalog.
* :func:`replace_catalog` does the same and retires (``active = false``) every stored
  procedure the file does not list: the file becomes the whole active catalog.

A procedure is never deleted: dossiers keep pointing at its code, and a retired one
comes back by importing it again. Only active procedures are published to kiosks.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import astuple, dataclass
from typing import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from motcua.dossiers.catalog import demo_catalog_path, read_catalog_file
from motcua.dossiers.procedures import Procedure

from .database import write_transaction
from .schema import procedure as procedure_table

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImportCounts:
    """What an import changed: new codes, changed rows, rows retired by ``--replace``."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0


def _from_row(row: sa.Row) -> Procedure:
    try:
        documents = tuple(str(d) for d in json.loads(row.documents or "[]"))
    except (ValueError, TypeError):
        log.warning("procedure %s has unreadable documents; shown without them", row.code)
        documents = ()
    return Procedure(code=row.code, name=row.name, field=row.field, documents=documents,
                     processing_days=row.processing_days,
                     processing_note=row.processing_note, fee=row.fee,
                     service=row.service, active=bool(row.active))


def _values(procedure: Procedure) -> dict:
    return {
        "name": procedure.name, "field": procedure.field,
        "documents": json.dumps(list(procedure.documents), ensure_ascii=False),
        "processing_days": procedure.processing_days,
        "processing_note": procedure.processing_note, "fee": procedure.fee,
        "service": procedure.service, "active": procedure.active,
    }


def load_procedures(engine: Engine, site_id: str, *,
                    include_retired: bool = False) -> list[Procedure]:
    """The site's procedures ordered by code; only active ones unless asked."""
    query = sa.select(procedure_table).where(procedure_table.c.site_id == site_id)
    if not include_retired:
        query = query.where(procedure_table.c.active == sa.true())
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(procedure_table.c.code)).all()
    return [_from_row(row) for row in rows]


def count_procedures(engine: Engine, site_id: str) -> int:
    """How many procedures the site has stored, retired ones included."""
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(procedure_table).where(
            procedure_table.c.site_id == site_id)).scalar_one()


def upsert_procedures(engine: Engine, site_id: str, procedures: Iterable[Procedure],
                      now: dt.datetime) -> ImportCounts:
    """Add or update ``procedures`` by code in one transaction; others stay as they are.
    ``updated_at`` changes only on rows whose content changed."""
    return _write(engine, site_id, list(procedures), now, retire_others=False)


def replace_catalog(engine: Engine, site_id: str, procedures: Iterable[Procedure],
                    now: dt.datetime) -> ImportCounts:
    """Make ``procedures`` the site's whole active catalog in one transaction: upsert them
    and retire (``active = false``) every other stored procedure of the site."""
    return _write(engine, site_id, list(procedures), now, retire_others=True)


def _write(engine: Engine, site_id: str, procedures: list[Procedure], now: dt.datetime,
           *, retire_others: bool) -> ImportCounts:
    codes = [p.code for p in procedures]
    if len(set(codes)) != len(codes):
        raise ValueError("duplicate procedure codes in one import")
    added = updated = unchanged = retired = 0
    table = procedure_table
    with write_transaction(engine) as conn:
        stored = {row.code: _from_row(row) for row in conn.execute(
            sa.select(table).where(table.c.site_id == site_id))}
        for procedure in procedures:
            before = stored.get(procedure.code)
            if before is None:
                conn.execute(table.insert().values(site_id=site_id, code=procedure.code,
                                                   updated_at=now, **_values(procedure)))
                added += 1
            elif astuple(before) != astuple(procedure):
                conn.execute(table.update().where(
                    table.c.site_id == site_id, table.c.code == procedure.code,
                ).values(updated_at=now, **_values(procedure)))
                updated += 1
            else:
                unchanged += 1
        if retire_others:
            listed = set(codes)
            to_retire = [code for code, p in stored.items() if p.active and code not in listed]
            for code in to_retire:
                conn.execute(table.update().where(
                    table.c.site_id == site_id, table.c.code == code,
                ).values(active=False, updated_at=now))
            retired = len(to_retire)
    log.info("procedure catalog of %s: %d added, %d updated, %d unchanged, %d retired",
             site_id, added, updated, unchanged, retired)
    return ImportCounts(added, updated, unchanged, retired)


def load_demo_catalog(engine: Engine, site_id: str, now: dt.datetime,
                      services: Iterable[str] | None = None) -> int:
    """Store the shipped demo catalog when the site has no procedure yet; return how many
    procedures were added (0 when the site already has a catalog, which is kept).

    ``services``, when given, drops demo procedures whose service the site lacks (they
    would offer a number for a service that does not exist). For ``motcua up`` and tests,
    never for a real site.
    """
    if count_procedures(engine, site_id):
        return 0
    loaded = read_catalog_file(demo_catalog_path(),
                               set(services) if services is not None else None)
    if loaded.errors:
        log.info("demo catalog: %d procedures left out (services this site lacks): %s",
                 len(loaded.errors), ", ".join(str(e.row) for e in loaded.errors))
    return upsert_procedures(engine, site_id, loaded.procedures, now).added
