"""Three dossiers stored in a hub's real database, and the hub fixtures of the dossier tests.

The dossiers go in as an import file would bring them (rows parsed by
:func:`motcua.dossiers.records.parse_record`, written by
:func:`motcua.store.dossier_store.apply_dossier_batch`, on the hub's writer thread when it
runs), so every lookup is answered by the real ``StoreDossierReader``: appointment dates
counted in working days over the shipped holiday calendar (Tuesday 24/11/2026 is Ngày Văn
hóa Việt Nam), lateness computed as of the hub's clock (Monday 23/11/2026 08:00, Hà Nội).

- :data:`READY_CODE`: received Friday 20/11 09:00, due Monday 30/11 (5 working days, the
  holiday skipped), ready on 23/11 08:00: early, returnable;
- :data:`IN_PROGRESS_CODE`: received Tuesday 17/11, due Wednesday 25/11: on time;
- :data:`LATE_CODE`: received Monday 02/11, due 09/11, one working day waiting for a
  supplement (06/11 → 09/11) moves it to 10/11; on 09/11 the apology "Chờ ý kiến của Sở
  Tư pháp" set the new date 27/11: late.

All three are for Đăng ký kết hôn (1.000894, Hộ tịch) of "Nguyễn Văn An", 0912345123.
The only non-real piece is :class:`CountingReader`, a delegating wrapper that records which
codes reached the store.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from typing import Any, Callable, Iterator

import pytest
import sqlalchemy as sa

from motcua.contract import DossierView
from motcua.dossiers.calendar import load_calendar
from motcua.hub import Hub
from motcua.hub_config import HubConfig
from motcua.store.dossier_store import (
    ImportReport, StoreDossierReader, apply_dossier_batch, submit_dossier_batch,
)
from tests.support.dossiers import add_procedure, batch
from tests.support.sites import MONDAY_MORNING, ManualClock

#: Procedure of the three dossiers: (code, name, working days); field Hộ tịch.
MARRIAGE = ("1.000894", "Đăng ký kết hôn", 5)
#: The applicant as stored; pages must only ever show :data:`MASKED_NAME`.
FULL_NAME = "Nguyễn Văn An"
PHONE = "0912345123"
MASKED_NAME = "Nguyễn V. A."
MASKED_PHONE = "09xx xxx 123"
READY_CODE = "000.00.12.H42-261120-0001"
IN_PROGRESS_CODE = "000.00.12.H42-261117-0002"
LATE_CODE = "000.00.12.H42-261102-0003"
CODES = (READY_CODE, IN_PROGRESS_CODE, LATE_CODE)
#: The reason of the late dossier's apology (Mẫu 04) and its new appointment date.
APOLOGY = "Chờ ý kiến của Sở Tư pháp"
NEW_APPOINTMENT = dt.date(2026, 11, 27)
#: A well-formed code nobody stored.
UNKNOWN_CODE = "000.00.12.H42-261120-0999"
#: Every lookup in these tests happens at the hub clock's time.
NOW = MONDAY_MORNING


def dossier_rows() -> list[dict[str, str]]:
    """The three dossiers as rows of an import file (dd/mm/yyyy, site time)."""
    applicant = {"procedure": MARRIAGE[0], "applicant_name": FULL_NAME, "phone": PHONE}
    return [
        {"code": READY_CODE, **applicant, "received_at": "20/11/2026 09:00",
         "status": "2", "status_at": "20/11/2026 09:00"},
        {"code": READY_CODE, "status": "4", "status_at": "20/11/2026 14:00"},
        {"code": READY_CODE, "status": "9", "status_at": "23/11/2026 08:00"},
        {"code": IN_PROGRESS_CODE, **applicant, "received_at": "17/11/2026 09:00",
         "status": "2", "status_at": "17/11/2026 09:00"},
        {"code": IN_PROGRESS_CODE, "status": "4", "status_at": "18/11/2026 09:00"},
        {"code": LATE_CODE, **applicant, "received_at": "02/11/2026 09:00",
         "status": "2", "status_at": "02/11/2026 09:00"},
        {"code": LATE_CODE, "status": "4", "status_at": "03/11/2026 09:00"},
        {"code": LATE_CODE, "status": "5", "status_at": "06/11/2026 09:00"},
        {"code": LATE_CODE, "status": "4", "status_at": "09/11/2026 09:00",
         "note": APOLOGY, "new_appointment_date": "27/11/2026"},
    ]


def store_dossiers(engine: sa.Engine, site_id: str, now: dt.datetime = NOW) -> ImportReport:
    """Put the procedure and the three dossiers in ``site_id``'s database (straight to the
    engine: call it on the writer thread, see :func:`store_through_writer`)."""
    add_procedure(engine, code=MARRIAGE[0], name=MARRIAGE[1], days=MARRIAGE[2],
                  site_id=site_id)
    dossiers, events, errors = batch(*dossier_rows())
    assert errors == [], errors
    report = apply_dossier_batch(engine, site_id, dossiers, events, load_calendar(), now,
                                 source="test")
    assert (report.errors, report.dossiers_added, report.events_added) == ([], 3, 9)
    return report


def store_through_writer(dispatcher: Any, engine: sa.Engine, site_id: str,
                         now: dt.datetime = NOW) -> ImportReport:
    """:func:`store_dossiers` on the running dispatcher's writer thread (as the REST
    import does), so it never races the queue's writes."""
    return submit_dossier_batch(dispatcher,
                                lambda: store_dossiers(engine, site_id, now)).result(10)


def store_reader(engine: sa.Engine, site_id: str,
                 return_service: str | None = "tra-ket-qua") -> StoreDossierReader:
    """The real reader of ``site_id`` with the shipped holiday calendar."""
    return StoreDossierReader(engine, site_id, load_calendar(), return_service)


class CountingReader:
    """Delegates to a real reader and records each code asked for (thread-safe): the
    tests' way to see which lookups reached the store."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.reads: list[str] = []
        self._lock = threading.Lock()

    def view(self, code: str, now: dt.datetime) -> DossierView | None:
        with self._lock:
            self.reads.append(code)
        return self.inner.view(code, now)


class FailingReader:
    """Delegates to a real reader after the first ``failures`` reads, which raise the
    error SQLAlchemy gives when the database is gone (a transient outage)."""

    def __init__(self, inner: Any, failures: int = 1) -> None:
        self.inner = inner
        self.failures = failures
        self._lock = threading.Lock()

    def view(self, code: str, now: dt.datetime) -> DossierView | None:
        with self._lock:
            failing, self.failures = self.failures > 0, max(0, self.failures - 1)
        if failing:
            raise sa.exc.OperationalError("SELECT dossier", {"code": code},
                                          Exception("disk I/O error"))
        return self.inner.view(code, now)


def count_reads(runtime: Any) -> CountingReader:
    """Wrap the lookup reader of a running hub (or test runtime) in a :class:`CountingReader`."""
    counting = CountingReader(runtime.dossier_lookup.reader)
    runtime.dossier_lookup.reader = counting
    runtime.dossiers = counting
    return counting


class FrozenSeconds:
    """The wrong-code limiter's clock (monotonic seconds), moved by hand."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@contextlib.contextmanager
def dossier_hub(tmp_path, broker_url: str, *, serve_http: bool = False,
                before_start: Callable[[str], None] | None = None,
                db_url: str | None = None) -> Iterator[Hub]:
    """A running hub of the example site (clock at :data:`NOW`) whose own database holds
    the three dossiers: ``db_url`` (a fresh PostgreSQL database ...) or the SQLite file
    ``tmp_path/hub.db``. ``before_start(db_url)`` may prepare the database first (users)."""
    db_url = db_url or f"sqlite:///{tmp_path}/hub.db"
    if before_start is not None:
        before_start(db_url)
    config = HubConfig(db_url=db_url, mqtt_url=broker_url, http_port=0)
    with Hub(config, clock=ManualClock(NOW), serve_http=serve_http) as running:
        store_through_writer(running.dispatcher, running.store.engine, running.setup.site_id,
                             running.clock())
        yield running


@pytest.fixture
def hub(tmp_path, mosquitto_broker):
    """A hub without HTTP, its database holding the three dossiers."""
    with dossier_hub(tmp_path, mosquitto_broker.url()) as running:
        yield running


@pytest.fixture
def reader(hub):
    """The hub's real reader, wrapped to count the codes that reach the store."""
    return count_reads(hub)


@pytest.fixture
def seconds(hub):
    """The hub's wrong-code limiter on a clock moved by hand."""
    frozen = FrozenSeconds()
    hub.dossier_lookup.limiter.clock = frozen
    return frozen
