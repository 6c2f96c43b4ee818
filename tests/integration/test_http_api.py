"""The hub's HTTP API over a real dispatcher on a SQLite file: what kiosks, phones,
supervisors and Prometheus get, and the JSON errors everyone else gets."""

from __future__ import annotations

import json
import re
import time
import zoneinfo
import urllib.request
from typing import Any

import pytest
import sqlalchemy as sa
from openapi_spec_validator import validate

from motcua import contract
from motcua.devices import add_device
from motcua.dispatch import Dispatcher, Request
from motcua.domain import Command, Priority
from motcua.metrics import HubMetrics
from motcua.snapshot import CommittedReads
from motcua.server import HubRuntime, create_app
from motcua.device_registry import DeviceRegistry
from motcua.server.errors import error_object, error_response
from motcua.server.openapi import openapi_document
from motcua.server.serve import serve
from motcua.store import SiteStore, create_database_engine, open_site_store
from motcua.store.schema import ticket as ticket_table
from tests.support.held_commit import HeldCommit
from tests.support.ports import free_port
from tests.support.sites import MONDAY_MORNING, ManualClock, small_setup

HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
TICKET_KEYS = ["id", "number", "service", "prefix", "priority", "status", "counter",
               "issued_at", "waiting_ahead", "est_wait_s"]


class FakeRuntime:
    """The smallest object satisfying HubRuntime: a real dispatcher, a broker switch."""

    def __init__(self, dispatcher: Dispatcher, store: SiteStore) -> None:
        self.dispatcher = dispatcher
        self.reads = CommittedReads(dispatcher)
        self.store = store
        self.setup = dispatcher.state.setup
        self.metrics = HubMetrics()
        # What SiteConfig.priority_labels() gives for a site offering the elderly group.
        self.priority_labels = {Priority.NORMAL: "Thông thường",
                                Priority.ELDERLY: "Người cao tuổi"}
        self.connected = True
        self.devices = DeviceRegistry()
        dispatcher.add_observer(self.metrics.observe)

    def broker_connected(self) -> bool:
        return self.connected

    def device_list(self) -> list[dict[str, Any]]:
        return self.devices.listing()


@pytest.fixture
def clock():
    return ManualClock()


@pytest.fixture
def store(sqlite_url, clock):
    return open_site_store(sqlite_url, small_setup(all_day=True), clock())


@pytest.fixture
def dispatcher(store, clock):
    running = Dispatcher(store, clock=clock).start()
    yield running
    running.stop()


@pytest.fixture
def runtime(dispatcher, store):
    fake = FakeRuntime(dispatcher, store)
    assert isinstance(fake, HubRuntime)
    return fake


@pytest.fixture
def app(runtime):
    return create_app(runtime, {"TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def token(store):
    return add_device(store.engine, store.site_id, "kiosk", "1", "Kiosk sảnh")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def issue(client, token, body=None, key=None, **headers):
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post("/api/v1/tickets", json={"service": "dat-dai"} if body is None else body,
                       headers={**bearer(token), **headers})


def run(dispatcher, action, counter=None, **args):
    result = dispatcher.execute(Request(Command(action, args, counter=counter)))
    assert result.ok, result.error
    return result


def scrape(client, expected: str, timeout_s: float = 2.0) -> str:
    """/metrics once it shows ``expected``: the dispatcher runs its observers just after
    it hands the result over, so a scrape right after a response may be a moment early."""
    deadline = time.monotonic() + timeout_s
    while True:
        text = client.get("/metrics").get_data(as_text=True)
        if expected in text or time.monotonic() > deadline:
            return text
        time.sleep(0.01)


def ticket_rows(store) -> int:
    with store.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(ticket_table)).scalar()


# --- services ----------------------------------------------------------------------------


def test_services_list_waiting_estimate_and_open_counters(client, dispatcher, token):
    """Given counter 1 open for every service and one đất đai ticket waiting,
    when a kiosk lists the services,
    then đất đai shows 1 waiting, a new ticket waits two 12-minute services, counter 1
    serves it, and the priorities carry the site's Vietnamese labels."""
    run(dispatcher, "open", counter=1, clerk="lan")
    issue(client, token)

    response = client.get("/api/v1/services")

    assert response.status_code == 200
    body = response.get_json()
    services = {s["code"]: s for s in body["services"]}
    assert list(services) == ["dat-dai", "ho-tich", "chung-thuc"]
    assert services["dat-dai"] == {
        "code": "dat-dai", "prefix": "A", "name": "Đất đai", "field": "Đất đai",
        "active": True, "waiting": 1, "est_wait_s": 2 * 12 * 60, "counters": [1],
    }
    assert services["ho-tich"]["waiting"] == 0 and services["ho-tich"]["est_wait_s"] == 8 * 60
    assert body["priorities"] == [{"code": "normal", "label": "Thông thường"},
                                  {"code": "elderly", "label": "Người cao tuổi"}]
    assert body["site"] == "test-site"


# --- issuing -----------------------------------------------------------------------------


def test_a_kiosk_with_a_valid_token_gets_ticket_a001(client, token):
    """Given a registered kiosk token,
    when the kiosk posts {"service": "dat-dai", "priority": "normal"},
    then it gets 201 with ticket A001 in the contract's exact shape and its Location."""
    response = issue(client, token, {"service": "dat-dai", "priority": "normal"})

    assert response.status_code == 201
    ticket = response.get_json()
    assert list(ticket) == TICKET_KEYS
    assert ticket["number"] == "A001" and ticket["status"] == "waiting"
    assert ticket["service"] == "dat-dai" and ticket["prefix"] == "A"
    assert ticket["priority"] == "normal" and ticket["counter"] is None
    assert ticket["issued_at"] == "2026-11-23T08:00:00+07:00"
    assert response.headers["Location"] == f"/api/v1/tickets/{ticket['id']}"
    assert "Idempotent-Replay" not in response.headers
    contract.Ticket.model_validate(ticket)


@pytest.mark.parametrize("authorization", [
    None, "", "Bearer", "Bearer ", "Basic a2lvc2s6MQ==", "Bearer not-a-real-token",
])
def test_without_a_valid_token_issuing_is_401(client, store, token, authorization):
    """Given a registered kiosk,
    when a request comes without its token (or with a wrong one or another scheme),
    then it is 401 unauthorized with a Bearer challenge, and nothing is issued."""
    headers = {} if authorization is None else {"Authorization": authorization}

    response = client.post("/api/v1/tickets", json={"service": "dat-dai"}, headers=headers)

    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="motcua"'
    assert ticket_rows(store) == 0


def test_a_display_token_cannot_issue(client, store):
    """Given a token registered for a display, not a kiosk,
    when it is used to issue,
    then the answer is 401."""
    display_token = add_device(store.engine, store.site_id, "display", "1")

    assert issue(client, display_token).status_code == 401


def test_a_repeated_idempotency_key_replays_the_first_ticket(client, store, token):
    """Given a ticket issued with Idempotency-Key k-1,
    when the kiosk retries the same body with the same key,
    then it gets 201 and the same ticket again, marked Idempotent-Replay, and only one
    ticket exists."""
    first = issue(client, token, key="k-1")

    again = issue(client, token, key="k-1")

    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replay"] == "true"
    assert again.get_json() == first.get_json()
    assert ticket_rows(store) == 1


def test_the_same_key_for_another_body_is_409_id_reused(client, store, token):
    """Given a ticket issued with key k-1 for đất đai,
    when the kiosk sends key k-1 for hộ tịch,
    then it is 409 id_reused and no second ticket exists."""
    issue(client, token, key="k-1")

    reused = issue(client, token, {"service": "ho-tich"}, key="k-1")

    assert reused.status_code == 409
    assert reused.get_json()["error"]["code"] == "id_reused"
    assert ticket_rows(store) == 1


def test_without_a_key_each_post_is_a_new_ticket(client, token):
    """Given no Idempotency-Key,
    when a kiosk posts twice,
    then it gets two tickets, A001 and A002."""
    numbers = [issue(client, token).get_json()["number"] for _ in range(2)]

    assert numbers == ["A001", "A002"]


def test_an_unknown_service_is_422(client, token):
    """Given no service "khong-co",
    when a kiosk asks for it,
    then it is 422 unknown_service with Vietnamese and English messages kept apart."""
    response = issue(client, token, {"service": "khong-co"})

    assert response.status_code == 422
    assert response.get_json() == {"error": {
        "code": "unknown_service",
        "message": "Không có dịch vụ khong-co",
        "message_en": "Unknown service: khong-co",
        "params": {"service": "khong-co"}}}


def test_outside_issuing_hours_is_409(client, clock, token):
    """Given the clock past the end of the only issuing session,
    when a kiosk asks for a number,
    then it is 409 outside_hours."""
    clock.set(MONDAY_MORNING.replace(hour=23, minute=59, second=59, microsecond=500000))

    response = issue(client, token)

    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "outside_hours"


@pytest.mark.parametrize("raw", [b"{", b"[]", b'"dat-dai"', b"\xff\xfe", b""])
def test_a_body_that_is_not_a_json_object_is_400_bad_json(client, token, raw):
    """Given a kiosk token,
    when the body is broken JSON, not an object, not UTF-8 or empty,
    then it is 400 bad_json."""
    response = client.post("/api/v1/tickets", data=raw, headers=bearer(token),
                           content_type="application/json")

    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_json"


@pytest.mark.parametrize("body, field", [
    ({"service": 5}, "service"),
    ({"priority": "normal"}, "service"),
    ({"service": "dat-dai", "priority": "vip"}, "priority"),
    ({"service": "dat-dai", "priority": 1}, "priority"),
])
def test_wrong_types_are_400_invalid_argument_naming_the_field(client, token, body, field):
    """Given a kiosk token,
    when a field is missing or has the wrong type or value,
    then it is 400 invalid_argument and the message names the field."""
    response = issue(client, token, body)

    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_argument"
    assert error["message"] == f"Tham số không hợp lệ: {field}"
    assert error["message_en"] == f"Invalid argument: {field}"
    assert error["params"] == {"field": field}


def test_unknown_fields_are_ignored(client, token):
    """Given a body with a field the API does not know,
    when a kiosk posts it,
    then the ticket is issued anyway."""
    response = issue(client, token, {"service": "dat-dai", "kiosk_theme": "dark"})

    assert response.status_code == 201


def test_an_overlong_idempotency_key_is_400(client, token):
    """Given an Idempotency-Key longer than 64 characters,
    when a kiosk posts with it,
    then it is 400 invalid_argument naming the header."""
    response = issue(client, token, key="k" * 65)

    assert response.status_code == 400
    assert "Idempotency-Key" in response.get_json()["error"]["message"]


def test_a_body_over_the_limit_is_413(client, token):
    """Given a body larger than the 64 KiB command limit,
    when a kiosk posts it,
    then it is 413 payload_too_large, as JSON."""
    response = client.post("/api/v1/tickets", data=b" " * (contract.MAX_PAYLOAD_BYTES + 1),
                           headers=bearer(token), content_type="application/json")

    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"


def test_storage_busy_is_503_with_retry_after(app):
    """Given the dispatcher refused with storage_busy,
    when the refusal becomes a response,
    then it is 503 with Retry-After, while storage_full is a 503 without it."""
    with app.test_request_context():
        busy = error_response(error_object("storage_busy"))
        full = error_response(error_object("storage_full"))

    assert busy.status_code == 503 and busy.headers["Retry-After"] == "1"
    assert full.status_code == 503 and "Retry-After" not in full.headers


# --- reading tickets ---------------------------------------------------------------------


def test_a_ticket_is_read_by_its_id(client, token):
    """Given tickets A001 and A002,
    when a phone opens A002 by its id,
    then it sees A002 waiting with one ticket ahead."""
    issue(client, token)
    second = issue(client, token).get_json()

    response = client.get(f"/api/v1/tickets/{second['id']}")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    ticket = response.get_json()
    assert ticket["number"] == "A002" and ticket["waiting_ahead"] == 1


def test_a_ticket_of_an_earlier_day_is_read_from_the_database(client, clock, token):
    """Given A001 issued yesterday and a new day started,
    when a phone opens yesterday's ticket,
    then it gets it from the database, expired at day end."""
    old = issue(client, token).get_json()
    clock.advance(days=1)
    assert issue(client, token).get_json()["number"] == "A001"

    response = client.get(f"/api/v1/tickets/{old['id']}")

    assert response.status_code == 200
    assert response.get_json()["status"] == "expired"
    assert response.get_json()["id"] == old["id"]


def test_an_unknown_ticket_is_404_json(client):
    """Given no such ticket id,
    when it is requested,
    then it is 404 unknown_ticket."""
    response = client.get("/api/v1/tickets/khong-co-so-nay")

    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "unknown_ticket"


def test_unknown_routes_and_methods_are_json_errors(client):
    """Given the app,
    when a client asks for a route that does not exist, or a wrong method,
    then it gets 404 not_found and 405 method_not_allowed (with Allow), as JSON."""
    missing = client.get("/api/v1/khong-co")
    wrong = client.delete("/api/v1/board")

    assert missing.status_code == 404
    assert missing.get_json()["error"] == {
        "code": "not_found",
        "message": "Không có địa chỉ /api/v1/khong-co",
        "message_en": "Not found: /api/v1/khong-co",
        "params": {"path": "/api/v1/khong-co"}}
    assert wrong.status_code == 405
    assert wrong.get_json()["error"]["code"] == "method_not_allowed"
    assert "GET" in wrong.headers["Allow"]


def test_an_unexpected_failure_is_a_json_500(client, runtime):
    """Given a runtime whose committed reads break,
    when the board is requested,
    then the client gets 500 internal_error as JSON, not an HTML page."""
    def broken():
        raise ValueError("boom")
    runtime.reads.snapshot = broken

    response = client.get("/api/v1/board")

    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "internal_error"


def test_a_batch_being_applied_is_invisible_until_committed(client, dispatcher, store, token):
    """Given A001 waiting and counter 1 open,
    when counter 1 calls next and the writer is held after applying the call to its live
    state but before committing it,
    then the board and the ticket page still show the committed state (counter 1 free,
    one waiting; A001 waiting with no counter), and right after the commit both show A001
    called at counter 1 with the commit's seq."""
    held = HeldCommit(store)
    run(dispatcher, "open", counter=1, clerk="lan")
    ticket_id = issue(client, token).get_json()["id"]
    assert client.get(f"/api/v1/tickets/{ticket_id}").get_json()["status"] == "waiting"

    held.hold = True
    pending = dispatcher.submit(Request(Command("call_next", counter=1), "counter/1", "c1"))
    assert held.entered.wait(5)
    board_during = client.get("/api/v1/board").get_json()
    ticket_during = client.get(f"/api/v1/tickets/{ticket_id}").get_json()
    held.hold = False
    held.release.set()
    called = pending.result(5)

    assert called.ok
    assert board_during["counters"][0]["ticket"] is None
    assert board_during["services"][0] == {"code": "dat-dai", "name": "Đất đai", "waiting": 1}
    assert (ticket_during["status"], ticket_during["counter"]) == ("waiting", None)
    board_after = client.get("/api/v1/board").get_json()
    assert board_after["seq"] == called.seq == board_during["seq"] + 1
    assert board_after["counters"][0]["ticket"] == "A001"
    ticket_after = client.get(f"/api/v1/tickets/{ticket_id}").get_json()
    assert (ticket_after["status"], ticket_after["counter"]) == ("called", 1)


# --- board, health, metrics, document ------------------------------------------------------


def test_the_board_shows_counters_waiting_and_recent_calls(client, dispatcher, clock, token):
    """Given counter 1 calling A001 at 08:00 (Hanoi) and A002 waiting,
    when the web board reads /api/v1/board,
    then it gets the retained board object of the last commit: A001 on counter 1, one
    waiting, and the call of A001 at counter 1 as the only recent call."""
    run(dispatcher, "open", counter=1, clerk="lan")
    issue(client, token)
    issue(client, token)
    run(dispatcher, "call_next", counter=1)

    response = client.get("/api/v1/board")

    assert response.status_code == 200
    board = response.get_json()
    contract.Board.model_validate(board)
    assert board["epoch"] == dispatcher.epoch and board["seq"] == dispatcher.seq
    assert board["counters"][0] == {"counter": 1, "name": "Quầy 1", "status": "open",
                                    "ticket": "A001"}
    assert {s["code"]: s["waiting"] for s in board["services"]}["dat-dai"] == 1
    assert board["recent"] == [{"ticket": "A001", "counter": 1, "service": "dat-dai",
                                "at": clock().astimezone(HANOI).isoformat()}]


def test_healthz_is_200_when_database_and_broker_answer(client, dispatcher):
    """Given a working database and a connected broker,
    when a supervisor checks /healthz,
    then it is 200 ok with the site, seq and epoch."""
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True and body["database"]["backend"] == "sqlite"
    assert body["broker"] == {"connected": True}
    assert (body["site"], body["seq"], body["epoch"]) == ("test-site", dispatcher.seq,
                                                          dispatcher.epoch)


def test_healthz_is_503_when_the_broker_is_down(client, runtime):
    """Given the hub lost its broker connection,
    when a supervisor checks /healthz,
    then it is 503 degraded, the database still ok."""
    runtime.connected = False

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "degraded" and body["broker"] == {"connected": False}
    assert body["database"]["ok"] is True


def test_healthz_is_503_when_the_database_does_not_answer(client, runtime, tmp_path):
    """Given a database that cannot be opened,
    when a supervisor checks /healthz,
    then it is 503 with database.ok false and the error's class, never its text."""
    unreachable = create_database_engine(f"sqlite:///{tmp_path / 'missing' / 'x.sqlite3'}")
    runtime.store = SiteStore(unreachable, runtime.store.site_id)

    response = client.get("/healthz")

    assert response.status_code == 503
    database = response.get_json()["database"]
    assert database["ok"] is False and database["error"] == "OperationalError"


def test_metrics_count_commands_and_show_the_queue(client, token):
    """Given one ticket issued over HTTP,
    when Prometheus scrapes /metrics,
    then the issue is counted as ok, its latency is labelled http, the đất đai queue
    is 1, and the broker gauge is up."""
    issue(client, token)

    text = scrape(client, 'motcua_command_latency_seconds_count{source="http"} 1.0')

    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    assert 'motcua_commands_total{action="issue",result="ok"} 1.0' in text
    assert 'motcua_command_latency_seconds_count{source="http"} 1.0' in text
    assert 'motcua_queue_waiting{service="dat-dai"} 1.0' in text
    assert "motcua_mqtt_connected 1.0" in text
    assert "motcua_seq 1.0" in text


def test_refusals_are_counted_by_error_code(client, token):
    """Given a kiosk asking for an unknown service,
    when Prometheus scrapes,
    then the refusal is counted under its error code."""
    issue(client, token, {"service": "khong-co"})

    expected = 'motcua_commands_total{action="issue",result="unknown_service"} 1.0'

    assert expected in scrape(client, expected)


def test_the_openapi_document_is_valid_and_covers_every_route(client, app):
    """Given the app,
    when /api/v1/openapi.json is fetched,
    then it is a valid OpenAPI 3.1 document listing every /api/v1 route and method."""
    document = client.get("/api/v1/openapi.json").get_json()

    validate(document)
    assert document["openapi"].startswith("3.1")
    assert document == openapi_document()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        assert path in document["paths"], path
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in document["paths"][path], (path, method)


def test_the_openapi_ticket_schema_matches_the_contract():
    """Given the contract's Ticket model,
    when the OpenAPI Ticket schema is compared with it,
    then both list the same fields (dossier only on return-of-results tickets)."""
    schema = openapi_document()["components"]["schemas"]["Ticket"]

    assert set(schema["properties"]) == set(contract.Ticket.model_fields) == {
        *TICKET_KEYS, "dossier"}
    assert "dossier" not in schema["required"]


# --- serving -------------------------------------------------------------------------------


def test_waitress_serves_the_app_and_stops(app, token):
    """Given the app served by waitress on a free port in a thread,
    when a kiosk issues a ticket and reads /healthz over real HTTP,
    then both answer, and close() stops the server thread."""
    server = _serve_on_free_port(app)
    thread = server.start()
    try:
        post = urllib.request.Request(
            f"{server.url}/api/v1/tickets", data=json.dumps({"service": "ho-tich"}).encode(),
            headers={**bearer(token), "Content-Type": "application/json",
                     "Idempotency-Key": "w-1"}, method="POST")
        with urllib.request.urlopen(post, timeout=10) as response:
            assert response.status == 201
            assert json.load(response)["number"] == "C001"
        with urllib.request.urlopen(f"{server.url}/healthz", timeout=10) as response:
            assert response.status == 200 and json.load(response)["status"] == "ok"
    finally:
        server.close()
    thread.join(5)
    assert not thread.is_alive()


def _serve_on_free_port(app, attempts: int = 3):
    # free_port releases the port before we bind it; another process may take it first.
    for attempt in range(attempts):
        try:
            return serve(app, "127.0.0.1", free_port(), threads=4)
        except OSError:
            if attempt == attempts - 1:
                raise

