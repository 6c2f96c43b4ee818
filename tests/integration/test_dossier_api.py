"""``/api/v1/dossiers`` over a real dispatcher and database (SQLite and PostgreSQL):
integration tokens, batches through the writer thread, idempotence, masked lookups."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from motcua.devices import add_device
from motcua.dispatch import Dispatcher
from motcua.dossiers.calendar import load_calendar
from motcua.dossiers.finder import DossierFinder
from motcua.dossiers.settings import DossierSettings
from motcua.server import create_app
from motcua.store import open_site_store
from motcua.store.dossier_store import StoreDossierReader
from tests.support.dossiers import FRIDAY, SITE, add_procedure
from tests.support.sites import ManualClock, small_setup

CODE = "000.00.12.H42-261127-0001"
DOSSIER = {
    "code": CODE, "procedure": "1.000234", "applicant_name": "Nguyễn Văn An",
    "phone": "0912345123", "received_at": "2026-11-27T09:00:00+07:00",
    "events": [
        {"event_id": "p-1", "status": 2, "at": "2026-11-27T09:00:00+07:00"},
        {"event_id": "p-2", "status": 4, "at": "2026-11-27T10:00:00+07:00",
         "note": "Chuyển phòng Tư pháp"},
    ],
}


class DossierRuntime:
    """The parts of the hub runtime the dossier routes use, around a real dispatcher."""

    def __init__(self, dispatcher: Dispatcher, store: Any, dossiers: Any) -> None:
        self.dispatcher = dispatcher
        self.store = store
        self.setup = dispatcher.state.setup
        self.dossiers = dossiers
        self.dossier_lookup = DossierFinder(dossiers, DossierSettings(return_service="tra-kq")) \
            if dossiers is not None else None


@pytest.fixture
def hub(db_url):
    clock = ManualClock(dt.datetime(2026, 11, 30, 10, 0, tzinfo=FRIDAY.tzinfo))
    store = open_site_store(db_url, small_setup(), clock())
    add_procedure(store.engine)
    dispatcher = Dispatcher(store, clock=clock).start()
    reader = StoreDossierReader(store.engine, SITE, load_calendar(), "tra-kq")
    yield DossierRuntime(dispatcher, store, reader)
    dispatcher.stop()


@pytest.fixture
def client(hub):
    return create_app(hub, {"TESTING": True}).test_client()


@pytest.fixture
def token(hub):
    return {"Authorization": "Bearer " + add_device(hub.store.engine, SITE, "integration",
                                                    "tinh", "Hệ thống một cửa tỉnh")}


def test_a_batch_is_stored_and_the_lookup_is_masked(client, token):
    """Given an integration token, when a dossier with two events is posted, then 200
    with the report, and GET gives the masked view with its timeline, on time."""
    response = client.post("/api/v1/dossiers", json={"dossiers": [DOSSIER]}, headers=token)
    assert response.status_code == 200
    assert response.get_json() == {"report": {"dossiers_added": 1, "events_added": 2,
                                              "skipped": 0, "dry_run": False, "errors": []}}
    view = client.get(f"/api/v1/dossiers/{CODE.lower()}")
    assert view.status_code == 200 and view.headers["Cache-Control"] == "no-store"
    body = view.get_json()
    assert (body["applicant"], body["phone"], body["status"], body["label"]) == (
        "Nguyễn V. A.", "09xx xxx 123", 4, "Đang xử lý")
    assert (body["appointment"], body["lateness"], body["returnable"]) == (
        "2026-12-02", "on_time", False)
    assert [step["note"] for step in body["timeline"]] == ["", "Chuyển phòng Tư pháp"]
    assert "0912345123" not in view.get_data(as_text=True)
    assert "Nguyễn Văn An" not in view.get_data(as_text=True)


def test_events_of_one_dossier_are_idempotent_by_event_id(client, token):
    """Given a stored dossier, when the same event is posted twice to /{code}/events and
    then its id with another status, then added, skipped, and a 422 naming event_id."""
    client.post("/api/v1/dossiers", json={"dossiers": [DOSSIER]}, headers=token)
    ready = {"event_id": "p-3", "status": 9, "at": "2026-11-30T09:00:00+07:00"}
    first = client.post(f"/api/v1/dossiers/{CODE}/events", json=ready, headers=token)
    again = client.post(f"/api/v1/dossiers/{CODE}/events", json={"events": [ready]},
                        headers=token)
    assert first.get_json()["report"]["events_added"] == 1
    assert again.get_json()["report"]["skipped"] == 1
    changed = client.post(f"/api/v1/dossiers/{CODE}/events",
                          json={**ready, "status": 10}, headers=token)
    assert changed.status_code == 422
    body = changed.get_json()
    assert body["error"]["code"] == "dossier_rows_refused"
    assert body["error"]["message"] == ("1 dòng bị từ chối (xem report.errors); các dòng "
                                        "hợp lệ đã được lưu")
    assert [(e["row"], e["field"], e["code"]) for e in body["report"]["errors"]] == [
        ("events[0]", "event_id", "event_conflict")]
    assert client.get(f"/api/v1/dossiers/{CODE}").get_json()["returnable"] is True


def test_bad_rows_are_named_and_good_rows_kept(client, token):
    """Given a body with a refused transition, a bad date and an unknown procedure, then
    422 with each error at its place in the body, and the valid rows stored."""
    body = {"dossiers": [
        {**DOSSIER, "events": [*DOSSIER["events"],
                               {"event_id": "p-9", "status": 1, "at": "2026-11-28T09:00:00Z"},
                               {"event_id": "p-8", "status": 5, "at": "hôm qua"}]},
        {**DOSSIER, "code": "000.00.12.H42-261127-0002", "procedure": "9.9",
         "events": [{"event_id": "q-1", "status": 2, "at": "2026-11-27T09:00:00+07:00"}]},
    ]}
    response = client.post("/api/v1/dossiers", json=body, headers=token)
    assert response.status_code == 422
    report = response.get_json()["report"]
    assert sorted((e["row"], e["field"], e["code"]) for e in report["errors"]) == [
        ("dossiers[0].events[2]", "status", "transition"),
        ("dossiers[0].events[3]", "status_at", "bad_datetime"),
        ("dossiers[1]", "procedure", "unknown_procedure"),
        ("dossiers[1].events[0]", "code", "dossier_refused"),
    ]
    assert (report["dossiers_added"], report["events_added"]) == (1, 2)


def test_writes_need_an_integration_token(client, hub):
    """Given no token, a kiosk's token, then 401 with the JSON error and a challenge;
    nothing is stored."""
    kiosk = add_device(hub.store.engine, SITE, "kiosk", "1")
    for headers in ({}, {"Authorization": f"Bearer {kiosk}"}):
        response = client.post("/api/v1/dossiers", json={"dossiers": [DOSSIER]},
                               headers=headers)
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "unauthorized"
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="motcua"'
    assert client.get(f"/api/v1/dossiers/{CODE}").status_code == 404


@pytest.mark.parametrize("path, status, code", [
    ("/api/v1/dossiers/000.00.12.H42-261127-0099", 404, "dossier_not_found"),
    ("/api/v1/dossiers/%3Cscript%3E", 400, "invalid_code"),
    ("/api/v1/dossiers/" + "9" * 5000, 400, "invalid_code"),
    ("/api/v1/dossiers/' OR 1=1 --", 400, "invalid_code"),
])
def test_bad_and_unknown_codes_get_json_errors(client, path, status, code):
    """Given unknown, HTML, 5 KB and SQL codes, then 404/400 JSON errors in the catalog's
    format, the input never echoed whole."""
    response = client.get(path)
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["code"] == code and error["message"] and error["message_en"]
    assert "<script>" not in response.get_data(as_text=True)


def test_wrong_codes_on_the_json_route_use_the_web_budget(client, hub):
    """Given the site's budget of wrong codes per address, when one address sends that
    many bad and unknown codes, then its next lookup, even of a stored dossier, is 429
    lookup_rate_limited with Retry-After."""
    budget = int(hub.dossier_lookup.limiter.burst)
    for index in range(budget):
        path = "/api/v1/dossiers/nope" if index % 2 else \
            "/api/v1/dossiers/000.00.12.H42-261127-0099"
        assert client.get(path).status_code in {400, 404}

    refused = client.get(f"/api/v1/dossiers/{CODE}")

    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "lookup_rate_limited"
    assert int(refused.headers["Retry-After"]) > 0


def test_without_a_dossier_reader_the_routes_say_not_available(hub):
    """Given a runtime without dossiers (None), then 501 not_available for lookups."""
    hub.dossiers = hub.dossier_lookup = None
    client = create_app(hub, {"TESTING": True}).test_client()
    response = client.get(f"/api/v1/dossiers/{CODE}")
    assert (response.status_code, response.get_json()["error"]["code"]) == (501, "not_available")


def test_the_documented_json_example_is_accepted(client, token):
    """Given docs/examples/dossiers.json after the CSV example's first dossier is stored,
    when it is posted, then 200: one new dossier with 2 events and the 10 of the other."""
    import json
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "docs" / "examples" / "dossiers.json"
    first = {"dossiers": [{"code": "000.00.12.H42-261123-0001", "procedure": "1.000234",
                           "applicant_name": "Nguyễn Văn An",
                           "received_at": "2026-11-23T08:15:00+07:00",
                           "events": [{"event_id": "tinh-1001", "status": 9,
                                       "at": "2026-11-25T16:30:00+07:00"}]}]}
    assert client.post("/api/v1/dossiers", json=first, headers=token).status_code == 200
    response = client.post("/api/v1/dossiers", json=json.loads(example.read_text("utf-8")),
                           headers=token)
    assert response.status_code == 200, response.get_json()
    report = response.get_json()["report"]
    assert (report["dossiers_added"], report["events_added"]) == (1, 3)


def test_a_batch_that_times_out_is_written_later_and_a_retry_is_skipped(client, token, hub,
                                                                        monkeypatch):
    """Given the writer busy committing a queue command, when a batch waits longer than
    the request's limit, then 503 hub_timeout with Retry-After; once the writer is free
    the batch is written anyway, and the client's retry is answered 200 with every row
    skipped: nothing lost, nothing twice."""
    from motcua.dispatch import Request
    from motcua.domain import Command
    from motcua.server import dossier_api
    from tests.support.held_commit import HeldCommit

    monkeypatch.setattr(dossier_api, "EXECUTE_TIMEOUT_S", 0.5)
    held = HeldCommit(hub.dispatcher.store)
    held.hold = True
    pending = hub.dispatcher.submit(Request(Command("open", {"clerk": "lan"}, counter=1),
                                            "counter/1", "o1"))
    assert held.entered.wait(5)
    response = client.post("/api/v1/dossiers", json={"dossiers": [DOSSIER]}, headers=token)
    assert (response.status_code, response.get_json()["error"]["code"]) == (503, "hub_timeout")
    assert response.headers["Retry-After"] == "1"
    held.hold = False
    held.release.set()
    assert pending.result(5).ok
    retry = None
    for _ in range(50):  # the held batch runs right after the queue command's commit
        retry = client.post("/api/v1/dossiers", json={"dossiers": [DOSSIER]}, headers=token)
        if retry.status_code == 200:
            break
    assert retry.get_json()["report"] == {"dossiers_added": 0, "events_added": 0,
                                          "skipped": 3, "dry_run": False, "errors": []}
