"""HTTP additions of issue 7: the holder's cancel, the device list, the kiosk issue rate."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.device_registry import DeviceRegistry
from motcua.dispatch import Dispatcher
from motcua.rate_limit import IssueRateLimiter
# The same clock, site store, runtime and app fixtures as the API tests; only the
# dispatcher differs (it applies a per-kiosk issue rate).
from tests.integration.test_http_api import (  # noqa: F401 - pytest fixtures
    app, client, clock, issue, runtime, store,
)
from tests.support.sites import MONDAY_MORNING


@pytest.fixture
def dispatcher(store, clock):
    running = Dispatcher(store, clock=clock, intercept=IssueRateLimiter(6, 2)).start()
    yield running
    running.stop()


@pytest.fixture
def token(store):
    from motcua.devices import add_device

    return add_device(store.engine, store.site_id, "kiosk", "1", "Kiosk sảnh")


# --- cancel by the holder ---------------------------------------------------------------


def test_cancelling_an_id_never_issued_is_404(client):
    """Given no ticket with id "khong-co-ve-nay", when the holder cancels it,
    then it is 404 unknown_ticket with the catalog's Vietnamese text."""
    response = client.post("/api/v1/tickets/khong-co-ve-nay/cancel")

    assert response.status_code == 404
    assert response.get_json()["error"] == {
        "code": "unknown_ticket", "message": "Không tìm thấy số khong-co-ve-nay",
        "message_en": "Unknown ticket: khong-co-ve-nay", "params": {"ticket": "khong-co-ve-nay"}}


def test_a_ticket_number_is_not_proof_enough_to_cancel(client, token, dispatcher):
    """Given A001 waiting (its number is public, on the board),
    when someone posts a cancel for "A001" instead of the ticket's id,
    then it is 404 and A001 is still waiting."""
    ticket = issue(client, token).get_json()

    response = client.post("/api/v1/tickets/A001/cancel")

    assert (response.status_code, response.get_json()["error"]["code"]) == (
        404, "unknown_ticket")
    assert dispatcher.state.tickets[ticket["id"]].status.value == "waiting"


@pytest.mark.parametrize("ticket_id", ["ab%01cd", "x" * 65])
def test_a_malformed_ticket_id_is_400_by_the_contracts_own_check(client, ticket_id):
    """Given a ticket id with a control character or longer than 64 characters,
    then the cancel is 400 invalid_argument on `ticket` (the contract's `cancel` model)."""
    response = client.post(f"/api/v1/tickets/{ticket_id}/cancel")

    assert response.status_code == 400
    assert response.get_json()["error"]["params"] == {"field": "ticket"}


def test_the_holder_cancels_their_waiting_ticket_by_its_id(client, token):
    """Given A001 waiting, when its holder posts the cancel with an Idempotency-Key,
    then it is 200 with A001 cancelled, the ticket page shows it cancelled, and the same
    key again answers the same."""
    ticket = issue(client, token).get_json()

    first = client.post(f"/api/v1/tickets/{ticket['id']}/cancel",
                        headers={"Idempotency-Key": "huy-1"})
    again = client.post(f"/api/v1/tickets/{ticket['id']}/cancel",
                        headers={"Idempotency-Key": "huy-1"})

    assert first.status_code == 200
    assert (first.get_json()["number"], first.get_json()["status"]) == ("A001", "cancelled")
    assert client.get(f"/api/v1/tickets/{ticket['id']}").get_json()["status"] == "cancelled"
    assert again.get_json() == first.get_json()


# --- devices -----------------------------------------------------------------------------


def test_the_device_list_shows_presence_and_kiosk_printers(client, runtime):
    """Given kiosk 2 online with paper_out (presence), kiosk 10 reporting paper_low, and
    display 1 gone offline, then /api/v1/devices lists them by kind, then id in numeric
    order, with those values and times."""
    at = MONDAY_MORNING
    registry: DeviceRegistry = runtime.devices
    registry.presence("kiosk", "2", True, "paper_out", at)
    registry.printer("10", "paper_low", at + dt.timedelta(minutes=1))
    registry.presence("display", "1", False, None, at)

    response = client.get("/api/v1/devices")

    assert response.status_code == 200
    assert response.get_json() == [
        {"kind": "display", "id": "1", "online": False, "printer": None,
         "last_seen": "2026-11-23T08:00:00+07:00"},
        {"kind": "kiosk", "id": "2", "online": True, "printer": "paper_out",
         "last_seen": "2026-11-23T08:00:00+07:00"},
        {"kind": "kiosk", "id": "10", "online": True, "printer": "paper_low",
         "last_seen": "2026-11-23T08:01:00+07:00"},
    ]


# --- issue rate ------------------------------------------------------------------------


def test_a_kiosk_over_its_issue_burst_gets_429_with_retry_after(client, token, clock):
    """Given a rate of 6 a minute with a burst of 2 for each kiosk,
    when kiosk 1 posts a third ticket at once, then it is 429 rate_limited with
    Retry-After: 10 and the Vietnamese text; its first Idempotency-Key still replays A001;
    10 s later it gets A003."""
    first = issue(client, token, key="k-1")
    issue(client, token, key="k-2")

    limited = issue(client, token, key="k-3")
    replay = issue(client, token, key="k-1")
    clock.advance(seconds=10)
    later = issue(client, token, key="k-4")

    assert limited.status_code == 429 and limited.headers["Retry-After"] == "10"
    assert limited.get_json()["error"]["message"] == (
        "Thiết bị 1 lấy số quá nhanh, vui lòng chờ 10 giây")
    assert (replay.status_code, replay.get_json()) == (201, first.get_json())
    assert later.get_json()["number"] == "A003"
