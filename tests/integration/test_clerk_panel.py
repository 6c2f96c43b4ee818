"""The clerk panel /counter/{n} over a real dispatcher on SQLite: login, CSRF, who may
operate which counter, every counter action once per request id, ratings once per
ticket, the live view and today's ratings for managers."""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa

from motcua.devices import add_device
from motcua.server import create_app
from motcua.store.schema import ticket as ticket_table
from motcua.store.schema import ticket_event
from motcua.store.users import add_user, set_disabled
# The same clock, site store, dispatcher, runtime and kiosk helpers as the API tests.
from tests.integration.test_http_api import (  # noqa: F401 - pytest fixtures
    clock, dispatcher, issue, run, runtime, store, token,
)

PASSWORD = "mat-khau-rat-dai"
SECRET = "test-secret-key-of-the-clerk-panel"


@pytest.fixture
def app(runtime):
    return create_app(runtime, {"TESTING": True, "SECRET_KEY": SECRET,
                                "LIVE_KEEPALIVE_S": 0.3,
                                "LOGIN_MAX_FAILURES_PER_ADDRESS": 8})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def accounts(store):
    """canbo1: clerk at counters 1 and 2 (Nguyễn Thị Lan); truongphong: manager."""
    add_user(store.engine, store.site_id, "canbo1", PASSWORD, display_name="Nguyễn Thị Lan",
             counters="1,2")
    add_user(store.engine, store.site_id, "truongphong", PASSWORD, display_name="Trần Văn Minh",
             role="manager", counters="1")


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(client, username="canbo1", password=PASSWORD, next_path=""):
    token = csrf_of(client.get("/counter/login").get_data(as_text=True))
    return client.post("/counter/login", data={"username": username, "password": password,
                                               "csrf_token": token, "next": next_path})


def panel_token(client, number=1) -> str:
    return csrf_of(client.get(f"/counter/{number}").get_data(as_text=True))


def act(client, number, action, request_id, csrf, **args):
    return client.post(f"/counter/{number}/actions/{action}",
                       data=json.dumps({"id": request_id, **args}),
                       headers={"Content-Type": "application/json", "X-CSRFToken": csrf})


def events_of(store, kind):
    with store.engine.connect() as conn:
        return conn.execute(sa.select(ticket_event).where(ticket_event.c.kind == kind)
                            .order_by(ticket_event.c.id)).all()


def ticket_row(store, number):
    with store.engine.connect() as conn:
        return conn.execute(sa.select(ticket_table).where(ticket_table.c.number == number)).one()


@pytest.fixture
def clerk(client, accounts):
    """A client logged in as canbo1, and the CSRF token of its session."""
    assert login(client).status_code == 303
    return client, panel_token(client)


# --- login ------------------------------------------------------------------------------------


def test_login_opens_the_first_permitted_counter_with_a_secure_cookie(client, accounts):
    """Given canbo1 (counters 1,2), when logging in with the right password,
    then 303 to /counter/1, an HttpOnly SameSite=Lax session cookie, and the panel of
    counter 1 names the clerk in Vietnamese."""
    response = login(client)

    assert response.status_code == 303
    assert response.headers["Location"] == "/counter/1"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("motcua_session=") and "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    html = client.get("/counter/1").get_data(as_text=True)
    assert '<html lang="vi">' in html
    assert '<h1 id="title">Quầy 1</h1>' in html
    assert '<strong id="user-name">Nguyễn Thị Lan</strong>' in html
    assert "Gọi số tiếp" in html and "<kbd>N</kbd>" in html


def test_a_wrong_password_is_refused_and_the_panel_asks_for_a_login(client, accounts):
    """Given canbo1, when the password is wrong, then 401 with the Vietnamese message,
    and /counter/1 redirects to the login page."""
    response = login(client, password="sai-mat-khau")

    assert response.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu" in response.get_data(as_text=True)
    panel = client.get("/counter/1")
    assert panel.status_code == 302
    assert panel.headers["Location"] == "/counter/login?next=/counter/1"


def test_wrong_passwords_are_limited_per_username(client, accounts):
    """Given 5 wrong passwords for canbo1, when a 6th try comes, even with the right
    password, then 429 with Retry-After and the Vietnamese wait message; no session."""
    for _ in range(5):
        assert login(client, password="sai-mat-khau").status_code == 401

    response = login(client)

    assert response.status_code == 429
    wait = int(response.headers["Retry-After"])
    assert 1 <= wait <= 300
    assert (f"Đăng nhập sai quá nhiều lần, vui lòng thử lại sau {wait} giây"
            in response.get_data(as_text=True))
    assert client.get("/counter/1").status_code == 302


def test_wrong_passwords_are_limited_per_address(client, accounts):
    """Given 8 failed logins from one address over eight usernames (the app allows 8),
    when truongphong logs in from there with the right password, then 429."""
    for n in range(8):
        assert login(client, username=f"doan{n}", password="sai-mat-khau").status_code == 401

    assert login(client, username="truongphong").status_code == 429


def test_logout_ends_the_session(clerk):
    """Given canbo1 logged in, when logging out (with the CSRF token), then 303 to the
    login page and the panel asks for a login again."""
    client, csrf = clerk

    response = client.post("/counter/logout", data={"csrf_token": csrf})

    assert response.status_code == 303
    assert client.get("/counter/1").status_code == 302


def test_a_disabled_account_loses_its_open_session(clerk, store):
    """Given canbo1 logged in, when `motcua user disable canbo1` happens, then its next
    action is refused 401 login_required and nothing is done."""
    client, csrf = clerk
    set_disabled(store.engine, store.site_id, "canbo1")

    response = act(client, 1, "open", "r-1", csrf)

    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "login_required"
    assert events_of(store, "counter_opened") == []


# --- CSRF ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("header", [None, "forged-token", "IjE2ZjQ0In0.Zz.forged"])
def test_an_action_without_a_valid_csrf_token_is_refused_and_does_nothing(clerk, store,
                                                                          token, header):
    """Given canbo1 logged in and A001 waiting, when call_next is posted without the CSRF
    token or with a forged one, then 400 csrf_failed in Vietnamese and nothing happened."""
    client, _csrf = clerk
    issue(client, token)
    headers = {"Content-Type": "application/json"}
    if header is not None:
        headers["X-CSRFToken"] = header

    response = client.post("/counter/1/actions/open", data=json.dumps({"id": "r-1"}),
                           headers=headers)

    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "csrf_failed"
    assert error["message"] == ("Phiên làm việc đã hết hạn hoặc yêu cầu không hợp lệ, "
                                "vui lòng tải lại trang")
    assert events_of(store, "counter_opened") == []


def test_a_login_without_the_csrf_token_is_refused(client, accounts):
    """Given the right password but no CSRF token, when posting the login form,
    then 400 csrf_failed and no session."""
    response = client.post("/counter/login", data={"username": "canbo1", "password": PASSWORD})

    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "csrf_failed"
    assert client.get("/counter/1").status_code == 302


# --- who may operate which counter ------------------------------------------------------------


def test_a_clerk_is_refused_at_a_counter_not_theirs(clerk, store, caplog):
    """Given canbo1 (counters 1,2), when it opens /counter/3 and posts open there,
    then a 403 page and a 403 counter_forbidden in Vietnamese, a log line, and counter 3
    stays closed."""
    client, csrf = clerk

    page = client.get("/counter/3")
    response = act(client, 3, "open", "r-1", csrf)
    stream = client.get("/counter/3/events")

    assert page.status_code == 403
    assert "Tài khoản canbo1 không được thao tác quầy 3." in page.get_data(as_text=True)
    assert response.status_code == 403
    assert response.get_json()["error"]["message"] == (
        "Tài khoản canbo1 không được thao tác quầy 3")
    assert stream.status_code == 403
    assert events_of(store, "counter_opened") == []
    assert "canbo1 may not operate counter 3" in caplog.text


def test_an_unknown_counter_is_a_vietnamese_404(clerk):
    """Given canbo1 logged in, when it opens /counter/9 (the site has 3), then a 404 page
    saying Không có quầy số 9, and its actions are 404 unknown_counter."""
    client, csrf = clerk

    page = client.get("/counter/9")
    response = act(client, 9, "open", "r-1", csrf)

    assert page.status_code == 404
    assert '<p id="message" class="error" role="alert">Không có quầy số 9</p>' in (
        page.get_data(as_text=True))
    assert (response.status_code, response.get_json()["error"]["code"]) == (
        404, "unknown_counter")


def test_a_manager_operates_any_counter(client, accounts, store):
    """Given truongphong (manager, listed for counter 1), when it opens counter 3,
    then counter 3 is opened by Trần Văn Minh."""
    login(client, username="truongphong")
    csrf = panel_token(client, 3)

    response = act(client, 3, "open", "r-1", csrf)

    assert response.status_code == 200
    [opened] = events_of(store, "counter_opened")
    assert (opened.counter, opened.clerk) == (3, "Trần Văn Minh")


def test_the_panel_needs_a_login(client):
    """Given no session, when an action or the event stream is requested, then 401
    login_required (JSON) and nothing is done."""
    response = client.post("/counter/1/actions/call_next", json={"id": "r-1"})
    stream = client.get("/counter/1/events")

    # The CSRF check comes first: an anonymous post has no session token either.
    assert response.status_code == 400
    assert stream.status_code == 401
    assert stream.get_json()["error"]["code"] == "login_required"


# --- actions ---------------------------------------------------------------------------------


def test_open_sends_the_logged_in_clerk_whatever_the_page_says(clerk, store):
    """Given canbo1 logged in, when open is posted with clerk "Ai đó",
    then counter 1 is opened by Nguyễn Thị Lan."""
    client, csrf = clerk

    response = act(client, 1, "open", "r-1", csrf, clerk="Ai đó")

    assert response.get_json() == {"id": "r-1", "ok": True, "ticket": None, "error": None,
                                   "repeated": False}
    [opened] = events_of(store, "counter_opened")
    assert (opened.counter, opened.clerk) == (1, "Nguyễn Thị Lan")


def test_a_double_click_calls_once(clerk, store, token, dispatcher):
    """Given counter 1 open and A001, A002 waiting, when call_next is posted twice with the
    same request id, then both answers are A001 (the second marked repeated), one
    ticket_called event exists and A002 still waits."""
    client, csrf = clerk
    issue(client, token)
    issue(client, token)
    act(client, 1, "open", "r-open", csrf)

    first = act(client, 1, "call_next", "r-click", csrf)
    second = act(client, 1, "call_next", "r-click", csrf)

    assert first.get_json()["ticket"]["number"] == "A001"
    assert second.get_json()["ticket"]["number"] == "A001"
    assert (first.get_json()["repeated"], second.get_json()["repeated"]) == (False, True)
    assert [row.counter for row in events_of(store, "ticket_called")] == [1]
    assert ticket_row(store, "A002").status == "waiting"


def test_every_counter_action_of_the_panel_reaches_the_queue(clerk, store, token, dispatcher,
                                                            clock):
    """Given A001..A004 waiting and counter 2 open, when canbo1 at counter 1 goes through
    open, call_next, recall, start, finish, rate, call A003, no_show, call A003, hold,
    call_next, transfer to counter 2, walk_in, set_priority A004, pause, resume, close,
    then each answer is ok with the expected ticket and the stored tickets agree."""
    client, csrf = clerk
    for _ in range(4):
        issue(client, token)
    run(dispatcher, "open", 2, clerk="Hùng")
    steps = [
        ("open", {}, None), ("call_next", {}, "A001"), ("recall", {}, "A001"),
        ("start", {}, "A001"), ("finish", {}, "A001"), ("rate", {"score": 3}, "A001"),
        ("call", {"ticket": "A003"}, "A003"), ("no_show", {}, "A003"),
        ("call", {"ticket": "a3"}, "A003"), ("hold", {}, "A003"),
        ("call_next", {}, "A002"), ("transfer", {"to_counter": 2}, "A002"),
        ("walk_in", {"service": "ho-tich"}, "C001"),
        ("set_priority", {"ticket": "A004", "priority": "elderly"}, "A004"),
        ("pause", {}, None), ("resume", {}, None), ("close", {}, None),
    ]
    for n, (action, args, number) in enumerate(steps):
        clock.advance(seconds=30)
        response = act(client, 1, action, f"r-{n}", csrf, **args)
        reply = response.get_json()
        assert (action, response.status_code, reply["ok"]) == (action, 200, True), reply
        assert (reply["ticket"] or {}).get("number") == number, action

    assert ticket_row(store, "A001").rating == 3
    assert ticket_row(store, "A002").reserved_counter == 2
    assert ticket_row(store, "A003").status == "held"
    assert ticket_row(store, "A004").priority == "elderly"
    assert ticket_row(store, "C001").status == "done"  # finished when counter 1 closed
    assert dispatcher.state.counters[1].status.value == "closed"


def test_a_refusal_shows_the_hub_message(clerk):
    """Given counter 1 closed, when call_next is posted, then 409 counter_closed with the
    catalog's Vietnamese message."""
    client, csrf = clerk

    response = act(client, 1, "call_next", "r-1", csrf)

    assert response.status_code == 409
    assert response.get_json()["error"]["message"] == "Quầy số 1 đang đóng"


@pytest.mark.parametrize("action, body, code", [
    ("explode", {"id": "r-1"}, "unknown_action"),
    ("call_next", {}, "invalid_argument"),
    ("transfer", {"id": "r-1"}, "invalid_argument"),
    ("rate", {"id": "r-1", "score": "3"}, "invalid_argument"),
])
def test_bad_actions_are_refused(clerk, store, action, body, code):
    """Given canbo1 logged in, when an unknown action, a missing id or bad arguments are
    posted, then 400 with the code, and nothing is stored."""
    client, csrf = clerk

    response = client.post(f"/counter/1/actions/{action}", data=json.dumps(body),
                           headers={"Content-Type": "application/json", "X-CSRFToken": csrf})

    assert (response.status_code, response.get_json()["error"]["code"]) == (400, code)
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(ticket_event)).scalar() == 0


# --- ratings ----------------------------------------------------------------------------------


def test_a_ticket_is_rated_once_against_its_counter_and_clerk(clerk, store, token):
    """Given A001 served and finished at counter 1 by Nguyễn Thị Lan, when rated 3 then
    rated again with a new request id, then the second is 409 already_rated (Vietnamese),
    and one ticket_rated event names A001, counter 1 and the clerk, with A001's rating 3."""
    client, csrf = clerk
    issue(client, token)
    for n, action in enumerate(("open", "call_next", "start", "finish")):
        act(client, 1, action, f"r-{n}", csrf)

    first = act(client, 1, "rate", "r-rate-1", csrf, score=3)
    second = act(client, 1, "rate", "r-rate-2", csrf, score=1)

    assert first.status_code == 200
    assert second.status_code == 409
    assert second.get_json()["error"]["code"] == "already_rated"
    assert second.get_json()["error"]["message"] == "Số A001 đã được đánh giá"
    [rated] = events_of(store, "ticket_rated")
    a001 = ticket_row(store, "A001")
    assert (rated.ticket_id, rated.counter, rated.clerk, json.loads(rated.data)) == (
        a001.id, 1, "Nguyễn Thị Lan", {"score": 3})
    assert a001.rating == 3


def test_the_database_refuses_a_second_rating_of_a_ticket(store, clock):
    """Given one ticket_rated row for ticket T, when another is inserted for T, then the
    unique index refuses it (the safety net behind already_rated)."""
    row = {"site_id": store.site_id, "seq": 1, "kind": "ticket_rated", "ticket_id": "T",
           "counter": 1, "clerk": "Lan", "at": clock(), "data": '{"score": 3}'}
    with store.engine.begin() as conn:
        conn.execute(ticket_event.insert().values(**row))

    with pytest.raises(sa.exc.IntegrityError):
        with store.engine.begin() as conn:
            conn.execute(ticket_event.insert().values(**{**row, "seq": 2}))


def test_managers_see_todays_ratings_per_counter(client, accounts, store, token, dispatcher):
    """Given A001 rated 3 at counter 1 and A002 rated 1 at counter 2, when the manager
    asks /api/v1/ratings/today, then counter 1 has {3: 1}, counter 2 {1: 1}, counter 3
    nothing; a clerk's session gets 403, no credentials 401, a device token 200."""
    issue(client, token)
    issue(client, token)
    for counter in (1, 2):
        run(dispatcher, "open", counter, clerk="Lan")
        run(dispatcher, "call_next", counter)
        run(dispatcher, "start", counter)
        run(dispatcher, "finish", counter)
    run(dispatcher, "rate", 1, score=3)
    run(dispatcher, "rate", 2, score=1)

    anonymous = client.get("/api/v1/ratings/today")
    device = client.get("/api/v1/ratings/today", headers={"Authorization": f"Bearer {token}"})
    login(client, username="truongphong")
    manager = client.get("/api/v1/ratings/today")

    assert anonymous.status_code == 401
    assert device.status_code == 200
    body = manager.get_json()
    assert (body["business_day"], body["levels"]) == ("2026-11-23", 3)
    assert [(c["counter"], c["counts"], c["total"]) for c in body["counters"]] == [
        (1, {"1": 0, "2": 0, "3": 1}, 1),
        (2, {"1": 1, "2": 0, "3": 0}, 1),
        (3, {"1": 0, "2": 0, "3": 0}, 0),
    ]
    assert device.get_json() == body


def test_a_clerk_does_not_see_the_ratings(clerk):
    """Given canbo1 (clerk) logged in, when it asks today's ratings, then 403
    manager_required in Vietnamese."""
    client, _csrf = clerk

    response = client.get("/api/v1/ratings/today")

    assert response.status_code == 403
    assert response.get_json()["error"]["message"] == (
        "Chỉ lãnh đạo bộ phận hoặc quản trị viên được xem")


# --- the live view ----------------------------------------------------------------------------


def read_frame(frames) -> dict:
    """The JSON of the next ``panel`` event of the stream (keepalives skipped)."""
    buffer = b""
    while True:
        buffer += next(frames)
        for block in buffer.split(b"\n\n"):
            if b"event: panel" in block:
                data = block.split(b"data: ", 1)[1]
                return json.loads(data)
        if buffer.endswith(b"\n\n"):
            buffer = b""


def test_the_event_stream_pushes_the_current_ticket_waiting_list_and_count(clerk, token,
                                                                         dispatcher, clock):
    """Given counter 1 open and A001, A002 waiting, when the panel stream opens and then
    A001 is called and started 2 minutes later, then the first view has no current
    ticket and A001, A002 waiting; the next ones show A001 called then serving with its
    stamps, A002 alone waiting, and served_today counts A001 once it is finished."""
    client, csrf = clerk
    issue(client, token)
    issue(client, token)
    act(client, 1, "open", "r-open", csrf)

    response = client.get("/counter/1/events", buffered=False)
    frames = iter(response.response)
    first = read_frame(frames)
    act(client, 1, "call_next", "r-call", csrf)
    called = read_frame(frames)
    clock.advance(minutes=2)
    act(client, 1, "start", "r-start", csrf)
    serving = read_frame(frames)
    act(client, 1, "finish", "r-finish", csrf)
    finished = read_frame(frames)
    response.close()

    assert response.headers["Content-Type"].startswith("text/event-stream")
    assert (first["status"], first["clerk"], first["current"]) == ("open", "Nguyễn Thị Lan", None)
    assert [t["number"] for t in first["waiting"]] == ["A001", "A002"]
    assert (called["current"]["number"], called["current"]["status"]) == ("A001", "called")
    assert called["current"]["called_at"] == "2026-11-23T08:00:00+07:00"
    assert [t["number"] for t in called["waiting"]] == ["A002"]
    assert called["waiting_total"] == 1
    assert (serving["current"]["status"], serving["current"]["started_at"]) == (
        "serving", "2026-11-23T08:02:00+07:00")
    assert serving["now"] == "2026-11-23T08:02:00+07:00"
    assert (finished["current"], finished["served_today"]) == (None, 1)
    assert "ratings" not in finished  # a clerk's stream carries no ratings
