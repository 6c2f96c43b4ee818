"""Publishing the site's procedure catalog, retained, for kiosks to search offline.

The catalog is read from the ``procedure`` table (only active procedures), turned into
the contract's :class:`~motcua.contract.ProcedureCatalog` and published retained on
``Topics(site).procedures()`` through the contract's topic table. Promises:

* ``version`` is a short hash of the procedures' content (not of the time), so the same
  catalog always has the same version and a kiosk can skip an unchanged one;
* the hub publishes it at start and after every reconnect (a broker restarted without
  persistence has lost it), and :meth:`CatalogPublisher.start` re-reads the table every
  ``refresh_s`` seconds so ``motcua procedure import`` reaches running kiosks without
  a hub restart; a re-read that finds the same version publishes nothing;
* a stored procedure that does not fit the contract (written around the importer's
  checks) is left out with a warning instead of withholding the whole catalog; a failed
  database read keeps the last catalog.

The catalog is not queue state: it changes only by import, never by a command, so it
is read outside the dispatcher and never blocks it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import threading
from typing import Callable, Iterable

from pydantic import ValidationError

from motcua import contract
from motcua.domain.numbering import local_time
from motcua.dossiers.procedures import Procedure

log = logging.getLogger(__name__)

#: Seconds between two reads of the catalog table by a running hub.
CATALOG_REFRESH_S = 60.0
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
VERSION_CHARS = 12


def procedure_info(procedure: Procedure) -> contract.ProcedureInfo:
    """The contract's view of one procedure. Raises ValidationError when it does not fit."""
    return contract.ProcedureInfo(
        code=procedure.code, name=procedure.name, field=procedure.field,
        documents=list(procedure.documents), processing_days=procedure.processing_days,
        processing_note=procedure.processing_note, fee=procedure.fee,
        service=procedure.service)


def catalog_version(infos: Iterable[contract.ProcedureInfo]) -> str:
    """Short hash of the catalog's content: equal content, equal version."""
    canonical = json.dumps([info.model_dump(mode="json") for info in infos],
                           ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:VERSION_CHARS]


def build_catalog(procedures: Iterable[Procedure], at: dt.datetime) -> contract.ProcedureCatalog:
    """The retained payload of the active ``procedures``, in their order; the ones that do
    not fit the contract are left out (logged)."""
    infos: list[contract.ProcedureInfo] = []
    for procedure in procedures:
        if not procedure.active:
            continue
        try:
            infos.append(procedure_info(procedure))
        except ValidationError as error:
            log.warning("procedure %.64r left out of the published catalog: %s",
                        procedure.code, error.errors()[0].get("msg"))
    return contract.ProcedureCatalog(at=at, version=catalog_version(infos), procedures=infos)


class CatalogPublisher:
    """Keeps one site's catalog published. ``load()`` returns the stored procedures."""

    def __init__(self, load: Callable[[], list[Procedure]], topics: contract.Topics,
                 clock: Callable[[], dt.datetime], refresh_s: float = CATALOG_REFRESH_S,
                 timezone: str = DEFAULT_TIMEZONE) -> None:
        self._load = load
        self.topic = topics.procedures()
        self._clock = clock
        self._timezone = timezone
        self._refresh_s = refresh_s
        self._lock = threading.Lock()
        self._procedures: tuple[Procedure, ...] = ()
        self._catalog: contract.ProcedureCatalog | None = None
        self._bus = None
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def for_site(cls, engine, site_id: str, topics: contract.Topics,
                 clock: Callable[[], dt.datetime], refresh_s: float = CATALOG_REFRESH_S,
                 timezone: str = DEFAULT_TIMEZONE) -> "CatalogPublisher":
        """A publisher reading ``site_id``'s active procedures from ``engine``; ``at`` is
        stamped in the site's ``timezone``, like the hub's other payloads."""
        from motcua.store.procedure_store import load_procedures

        return cls(lambda: load_procedures(engine, site_id), topics, clock, refresh_s,
                   timezone)

    @property
    def procedures(self) -> tuple[Procedure, ...]:
        """The active procedures last read (what ``GET /api/v1/procedures`` searches)."""
        with self._lock:
            return self._procedures

    @property
    def catalog(self) -> contract.ProcedureCatalog | None:
        """The payload last built, None before the first read."""
        with self._lock:
            return self._catalog

    def refresh(self) -> bool:
        """Re-read the table; return whether the catalog's version changed. A failed read
        keeps the last catalog (logged) and returns False."""
        try:
            procedures = tuple(p for p in self._load() if p.active)
        except Exception:  # noqa: BLE001 - a database hiccup must not stop the hub
            log.exception("could not read the procedure catalog; keeping the last one")
            return False
        catalog = build_catalog(procedures, local_time(self._clock(), self._timezone))
        with self._lock:
            changed = self._catalog is None or self._catalog.version != catalog.version
            if changed:
                self._procedures = procedures
                self._catalog = catalog
        if changed:
            log.info("procedure catalog version %s: %d procedures", catalog.version,
                     len(catalog.procedures))
        return changed

    def publish(self, bus) -> None:
        """Publish the catalog last read (reading it first if never read), retained."""
        if self.catalog is None:
            self.refresh()
        catalog = self.catalog
        if catalog is None:
            return
        try:
            bus.publish_contract(self.topic, catalog)
        except Exception:  # noqa: BLE001 - on paho's thread: never raise into it
            log.exception("could not publish the procedure catalog")

    def start(self, bus) -> "CatalogPublisher":
        """Read and publish now, then re-read every ``refresh_s`` and publish on change."""
        self._bus = bus
        self.refresh()
        self.publish(bus)
        if self._refresh_s > 0:
            self._thread = threading.Thread(target=self._run, name="catalog-publisher",
                                            daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self) -> None:
        while not self._stopped.wait(self._refresh_s):
            if self.refresh() and self._bus is not None:
                self.publish(self._bus)
