"""The dossier store on SQLite and PostgreSQL: batches, idempotence, transitions, reads."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import sqlalchemy as sa

from motcua.dispatch import Dispatcher
from motcua.dossiers.calendar import load_calendar
from motcua.store import open_site_store
from motcua.store.dossier_store import (StoreDossierReader, apply_dossier_batch,
                                        submit_dossier_batch)
from motcua.store.schema import dossier, dossier_event
from tests.support.dossiers import FRIDAY, SITE, VN, add_procedure, batch
from tests.support.sites import ManualClock, small_setup

CAL = load_calendar()
CODE = "000.00.12.H42-261127-0001"
OTHER = "000.00.12.H42-261127-0002"
NOW = dt.datetime(2026, 11, 30, 10, 0, tzinfo=VN)


def new_dossier(code=CODE, **extra):
    return {"code": code, "procedure": "1.000234", "applicant_name": "Nguyễn Văn An",
            "phone": "0912345123", "received_at": "27/11/2026 09:00", "status": 2,
            "status_at": "27/11/2026 09:00", "event_id": f"{code}/1", **extra}


def step(status, when, event_id, code=CODE, **extra):
    return {"code": code, "status": status, "status_at": when, "event_id": event_id, **extra}


@pytest.fixture
def engine(db_url):
    store = open_site_store(db_url, small_setup(), FRIDAY)
    add_procedure(store.engine)
    return store.engine


def apply(engine, *rows, dry_run=False):
    dossiers, events, errors = batch(*rows)
    return apply_dossier_batch(engine, SITE, dossiers, events, CAL, NOW, source="test",
                               dry_run=dry_run, earlier_errors=errors)


def stored(engine, code=CODE):
    with engine.connect() as conn:
        return conn.execute(sa.select(dossier).where(dossier.c.code == code)).first()


def test_a_new_dossier_gets_its_appointment_in_working_days_and_its_history(engine):
    """Given a 3-day procedure, when a dossier received Friday 27/11/2026 09:00 comes with
    statuses 2, 4, 5, then its appointment is Wednesday 2/12, status 5 with one supplement
    request, and the three events are stored in order."""
    report = apply(engine, new_dossier(), step(4, "2026-11-27 10:00", "e2"),
                   step(5, "2026-11-30 08:00", "e3", note="Bổ sung tờ khai"))
    assert (report.dossiers_added, report.events_added, report.errors) == (1, 3, [])
    row = stored(engine)
    assert (row.appointment_date, row.status, row.supplement_requests, row.finished_at) == (
        dt.date(2026, 12, 2), 5, 1, None)
    with engine.connect() as conn:
        events = conn.execute(sa.select(dossier_event.c.status, dossier_event.c.source)
                              .order_by(dossier_event.c.at)).all()
    assert [tuple(e) for e in events] == [(2, "test"), (4, "test"), (5, "test")]


def test_the_same_batch_twice_is_skipped_and_changes_nothing(engine):
    """Given a stored batch, when it comes again, then 1 dossier + 2 events are skipped,
    nothing is added and there is no error."""
    rows = (new_dossier(), step(4, "2026-11-27 10:00", "e2"))
    apply(engine, *rows)
    again = apply(engine, *rows)
    assert (again.dossiers_added, again.events_added, again.skipped, again.errors) == (0, 0, 3, [])


def test_an_event_id_reused_for_other_content_is_a_row_error(engine):
    """Given event e2 stored as status 4, when e2 comes as status 9, then a row error on
    event_id with both messages, and the dossier stays at 4."""
    apply(engine, new_dossier(), step(4, "2026-11-27 10:00", "e2"))
    report = apply(engine, step(9, "2026-11-30 10:00", "e2"))
    assert [(e.row, e.field, e.code) for e in report.errors] == [(2, "event_id", "event_conflict")]
    assert report.errors[0].message == "Mã sự kiện e2 đã dùng cho một thay đổi khác"
    assert stored(engine).status == 4


def test_a_refused_transition_keeps_the_valid_rows(engine):
    """Given rows 2→4 (ok), 4→1 (refused), 4→9 (ok) and one for an unknown dossier, then
    the refused rows are reported by row and field, the others stored: status 9 and
    finished at the 9's time."""
    report = apply(engine, new_dossier(), step(4, "2026-11-27 10:00", "e2"),
                   step(1, "2026-11-27 11:00", "e3"), step(9, "2026-11-30 09:00", "e4"),
                   step(4, "2026-11-30 09:00", "x1", code=OTHER))
    assert [(e.row, e.field, e.code) for e in report.errors] == [
        (4, "status", "transition"), (6, "code", "unknown_dossier")]
    assert report.errors[0].message == ("Không thể chuyển hồ sơ từ trạng thái “Đang xử lý” "
                                        "(4) sang “Mới đăng ký” (1)")
    assert report.events_added == 3
    row = stored(engine)
    assert (row.status, row.finished_at) == (9, dt.datetime(2026, 11, 30, 2, 0,
                                                             tzinfo=dt.timezone.utc))


def test_events_are_checked_in_time_order_not_file_order(engine):
    """Given a 9 listed before the 4 that precedes it in time, then both are accepted."""
    report = apply(engine, new_dossier(), step(9, "2026-11-30 09:00", "e3"),
                   step(4, "2026-11-27 10:00", "e2"))
    assert (report.errors, report.events_added, stored(engine).status) == ([], 3, 9)


def test_an_event_older_than_the_stored_history_is_refused(engine):
    """Given a dossier stored up to 30/11 09:00, when an event of 28/11 arrives, then a
    status_at row error naming the latest stored time."""
    apply(engine, new_dossier(), step(4, "2026-11-30 09:00", "e2"))
    report = apply(engine, step(5, "2026-11-28 09:00", "e3"))
    assert [(e.field, e.code) for e in report.errors] == [("status_at", "out_of_order")]
    assert "30/11/2026 09:00" in report.errors[0].message


def test_unknown_procedures_and_conflicting_duplicates_are_row_errors(engine):
    """Given a dossier of an unknown procedure, and a stored dossier sent again with
    another applicant, then a procedure error and an applicant_name error; the other
    rows of the refused dossier are reported too, and nothing of them is stored."""
    apply(engine, new_dossier())
    report = apply(engine, new_dossier(OTHER, procedure="9.999999"),
                   step(4, "2026-11-30 09:00", "o2", code=OTHER),
                   new_dossier(applicant_name="Trần Văn Bảy", event_id="zz"))
    assert [(e.row, e.field, e.code) for e in report.errors] == [
        (2, "procedure", "unknown_procedure"), (3, "code", "dossier_refused"),
        (4, "applicant_name", "dossier_conflict")]
    assert stored(engine, OTHER) is None and stored(engine).applicant_name == "Nguyễn Văn An"


def test_a_second_supplement_and_an_apology_are_kept_on_the_dossier(engine):
    """Given 2→5→4→5→4 with an apology giving 10/12, then 2 supplement requests and the
    new appointment date stored; the public view says late with that apology."""
    apply(engine, new_dossier(), step(5, "2026-11-27 10:00", "a"),
          step(4, "2026-11-27 11:00", "b"), step(5, "2026-11-27 12:00", "c"),
          step(4, "2026-11-27 13:00", "d", note="Xin lỗi vì trễ hẹn",
               new_appointment_date="10/12/2026"))
    row = stored(engine)
    assert (row.supplement_requests, row.new_appointment_date) == (2, dt.date(2026, 12, 10))
    view = StoreDossierReader(engine, SITE, CAL, "tra-kq").view(CODE, NOW)
    assert (view.lateness, view.apology, view.new_appointment) == (
        "late", "Xin lỗi vì trễ hẹn", dt.date(2026, 12, 10))


def test_a_dry_run_reports_without_writing(engine):
    """Given a dry run of a good dossier, then the report counts nothing added and the
    database has no dossier."""
    report = apply(engine, new_dossier(), dry_run=True)
    assert (report.dry_run, report.errors, stored(engine)) == (True, [], None)


def test_the_reader_gives_the_masked_view_and_none_for_unknown_codes(engine):
    """Given a stored dossier, then the reader's view is masked with the procedure's
    name and its timeline; an unknown code gives None; record() is unmasked for staff."""
    apply(engine, new_dossier(), step(4, "2026-11-27 10:00", "e2"))
    reader = StoreDossierReader(engine, SITE, CAL, "tra-kq")
    view = reader.view(CODE, NOW)
    assert (view.applicant, view.phone, view.procedure.name) == (
        "Nguyễn V. A.", "09xx xxx 123", "Đăng ký kết hôn")
    assert [s.status for s in view.timeline] == [2, 4]
    assert (view.appointment, view.lateness, view.returnable) == (
        dt.date(2026, 12, 2), "on_time", False)
    assert reader.view(OTHER, NOW) is None
    row, _events, _procedure = reader.record(CODE)
    assert row["applicant_phone"] == "0912345123"


def test_a_lookup_is_two_queries(engine):
    """Given a stored dossier, when it is looked up, then exactly two SELECTs run."""
    apply(engine, new_dossier())
    reader = StoreDossierReader(engine, SITE, CAL, None)
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        reader.view(CODE, NOW)
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    assert [s.split()[0] for s in statements if not s.startswith(("BEGIN", "PRAGMA"))] == [
        "SELECT", "SELECT"]


def test_submit_dossier_batch_runs_on_the_dispatcher_writer_thread(db_url):
    """Given a running dispatcher, when a batch is submitted, then it runs on the writer
    thread ("motcua-dispatcher") and its future gives the report; an exception in the
    work reaches the caller through the future."""
    clock = ManualClock()
    store = open_site_store(db_url, small_setup(), clock())
    add_procedure(store.engine)
    dispatcher = Dispatcher(store, clock=clock).start()
    try:
        threads = []

        def work():
            threads.append(threading.current_thread().name)
            return apply(store.engine, new_dossier())

        report = submit_dossier_batch(dispatcher, work).result(timeout=10)
        assert (report.dossiers_added, threads) == (1, ["motcua-dispatcher"])
        failing = submit_dossier_batch(dispatcher, lambda: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            failing.result(timeout=10)
    finally:
        dispatcher.stop()


@pytest.mark.parametrize("now", [NOW, dt.datetime(2026, 2, 23, 7, 0, tzinfo=VN)],
                         ids=["monday", "after-tet-2026"])
def test_the_demo_dossiers_are_in_every_stage(engine, now):
    """Given an empty catalog besides one procedure, when the demo is loaded (on a Monday,
    and on the Monday after Tết 2026), then four codes whose views are: ready and
    returnable, late with an apology, waiting for a supplement, in progress on time."""
    from motcua.dossiers.demo import load_demo_dossiers

    codes = load_demo_dossiers(engine, SITE, now, CAL)
    reader = StoreDossierReader(engine, SITE, CAL, "tra-kq")
    views = [reader.view(code, now) for code in codes]
    assert [(v.stage, v.returnable, v.lateness) for v in views] == [
        ("ready", True, views[0].lateness), ("in_progress", False, "late"),
        ("supplement", False, "on_time"), ("in_progress", False, "on_time")]
    assert views[0].lateness in ("early", "on_time")
    assert views[1].apology.startswith("Xin lỗi ông/bà") and views[1].new_appointment > now.date()
    assert all(step.at <= now for view in views for step in view.timeline)
    assert load_demo_dossiers(engine, SITE, now, CAL) == codes
