"""The public ticket page /t/{id} and its event stream, over a real dispatcher on SQLite."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.request

import pytest

from motcua.server import create_app
from motcua.server.live import CommitFeed, live_of
# The same clock, site store, dispatcher, runtime and kiosk helpers as the API tests.
from tests.integration.test_http_api import (  # noqa: F401 - pytest fixtures
    clock, dispatcher, issue, run, runtime, store, token,
)

KEEPALIVE_S = 0.3
MISSING_TITLE = "Không tìm thấy số thứ tự"


@pytest.fixture
def app(runtime):
    return create_app(runtime, {"TESTING": True, "LIVE_KEEPALIVE_S": KEEPALIVE_S})


@pytest.fixture
def client(app):
    return app.test_client()


def text_of(element_id: str, html: str) -> str:
    """The text of the element with ``id`` (the page's elements hold plain text)."""
    start = html.index(f'id="{element_id}"')
    start = html.index(">", start) + 1
    return html[start:html.index("<", start)]


def open_stream(client, ticket_id: str):
    """``(response, frames)``: the open stream and an iterator over its chunks."""
    response = client.get(f"/t/{ticket_id}/events", buffered=False)
    return response, iter(response.response)


def frame(view: dict) -> bytes:
    data = json.dumps(view, ensure_ascii=False, separators=(",", ":"))
    return f"event: ticket\ndata: {data}\n\n".encode()


# --- the page ------------------------------------------------------------------------------


def test_the_page_shows_a_waiting_ticket_in_vietnamese(client, token):
    """Given A001 and A002 waiting for đất đai (12-minute services, no counter open),
    when the holder of A002 opens /t/{id},
    then the page shows A002, Đất đai, "Đang chờ", 1 person ahead, about 24 minutes,
    the issue time, the cancel and sound buttons, with no-store and no referrer."""
    issue(client, token)
    second = issue(client, token).get_json()

    response = client.get(f"/t/{second['id']}")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    html = response.get_data(as_text=True)
    assert '<html lang="vi">' in html
    assert "<title>Số thứ tự A002</title>" in html
    assert [text_of(name, html) for name in
            ("number", "service", "status", "ahead", "wait", "issued", "cancel", "sound")] == [
        "A002", "Đất đai", "Đang chờ", "1", "khoảng 24 phút", "08:00 · 23/11/2026",
        "Hủy số", "Bật âm báo"]
    assert 'id="offline" class="banner" role="status" hidden>Mất kết nối, đang thử lại…' in html


def test_a_called_ticket_says_which_counter(client, dispatcher, token):
    """Given A001 called by counter 2,
    when its holder opens the page,
    then the status reads "Mời đến quầy 2" with the hint to go now, and no cancel button."""
    ticket = issue(client, token).get_json()
    run(dispatcher, "open", counter=2, clerk="lan")
    run(dispatcher, "call_next", counter=2)

    html = client.get(f"/t/{ticket['id']}").get_data(as_text=True)

    assert text_of("status", html) == "Mời đến quầy 2"
    assert text_of("hint", html) == "Vui lòng đến quầy ngay."
    assert 'class="status-called"' in html
    assert 'id="cancel" class="danger" hidden' in html


def test_the_page_can_be_rendered_in_english(client, token):
    """Given A001 waiting, when the page is opened with ?lang=en,
    then it is English: "Waiting", "about 12 min"."""
    ticket = issue(client, token).get_json()

    html = client.get(f"/t/{ticket['id']}?lang=en").get_data(as_text=True)

    assert '<html lang="en">' in html
    assert (text_of("status", html), text_of("wait", html)) == ("Waiting", "about 12 min")


def test_a_ticket_of_an_earlier_day_is_shown_final(client, clock, token):
    """Given A001 issued yesterday and a new day started,
    when its holder opens the page,
    then it shows "Hết hạn" and the day it belonged to, with no live note nor buttons."""
    old = issue(client, token).get_json()
    clock.advance(days=1)
    issue(client, token)

    html = client.get(f"/t/{old['id']}").get_data(as_text=True)

    assert text_of("status", html) == "Hết hạn"
    assert text_of("hint", html) == "Số của ngày 23/11/2026, đã kết thúc."
    assert 'id="live-note" class="note" hidden' in html
    assert 'id="sound" class="secondary" hidden' in html


@pytest.mark.parametrize("path", [
    "/t/khong-co-ve-nay", "/t/A001", "/t/" + "x" * 41, "/t/%3Cscript%3E", "/t/abc/def", "/t/",
])
def test_an_unknown_or_malformed_id_is_the_same_vietnamese_404_page(client, token, path):
    """Given A001 issued (so "A001" is a real number but not an id),
    when any unknown, malformed or nested path under /t/ is opened,
    then it is a 404 HTML page in Vietnamese, word for word the same for every path."""
    issue(client, token)

    response = client.get(path)

    assert response.status_code == 404
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert f"<h1>{MISSING_TITLE}</h1>" in html
    assert html == client.get("/t/another-unknown-id").get_data(as_text=True)


def test_static_files_are_served(client):
    """Given the app, when the page's script and style are fetched, then both are served."""
    script = client.get("/static/ticket.js")
    style = client.get("/static/ticket.css")

    assert (script.status_code, style.status_code) == (200, 200)
    assert b'"DejaVu Sans", "Noto Sans", sans-serif' in style.data
    assert b"motcuaLive.open" in script.data


# --- the event stream ------------------------------------------------------------------------


def test_the_first_event_is_the_ticket_view_now(client, token):
    """Given A001 waiting,
    when its event stream opens,
    then the headers say text/event-stream, no-store, no proxy buffering, and the first
    chunk is a retry of 3 s then the ticket event carrying exactly GET /api/v1/tickets/{id}."""
    ticket = issue(client, token).get_json()
    api_view = client.get(f"/api/v1/tickets/{ticket['id']}").get_json()

    response, frames = open_stream(client, ticket["id"])
    try:
        first = next(frames)
    finally:
        response.close()

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/event-stream; charset=utf-8"
    assert response.headers["X-Accel-Buffering"] == "no"
    assert response.headers["Cache-Control"] == "no-store"
    assert first == b"retry: 3000\n\n" + frame(api_view)
    assert list(api_view) == ["id", "number", "service", "prefix", "priority", "status",
                              "counter", "issued_at", "waiting_ahead", "est_wait_s"]


def test_a_call_is_pushed_and_unrelated_commits_are_not(client, dispatcher, token):
    """Given A001 waiting with its stream open,
    when a hộ tịch ticket is issued (A001's view unchanged) and then counter 1 calls next,
    then the stream sends only a keepalive comment for the first commit and then A001
    called at counter 1."""
    ticket = issue(client, token).get_json()
    response, frames = open_stream(client, ticket["id"])
    try:
        next(frames)
        issue(client, token, {"service": "ho-tich"})
        assert next(frames) == b": keepalive\n\n"
        run(dispatcher, "open", counter=1, clerk="lan")
        run(dispatcher, "call_next", counter=1)
        called = next(frames)
    finally:
        response.close()

    view = json.loads(called.decode().split("data: ", 1)[1])
    assert (view["status"], view["counter"], view["waiting_ahead"]) == ("called", 1, 0)
    assert called == frame(client.get(f"/api/v1/tickets/{ticket['id']}").get_json())


def test_the_stream_ends_once_the_ticket_is_cancelled(client, app, token):
    """Given A001's stream open,
    when the holder cancels A001,
    then the stream sends A001 cancelled and ends, and its slot is free again."""
    ticket = issue(client, token).get_json()
    response, frames = open_stream(client, ticket["id"])
    next(frames)

    assert client.post(f"/api/v1/tickets/{ticket['id']}/cancel").status_code == 200

    rest = list(frames)
    response.close()
    assert len(rest) == 1 and json.loads(rest[0].decode().split("data: ")[1])["status"] == (
        "cancelled")
    assert live_of(app).slots.in_use == 0


def test_an_unknown_stream_is_404_json(client):
    """Given no ticket "khong-co", when its stream is requested,
    then it is the API's 404 unknown_ticket JSON."""
    response = client.get("/t/khong-co/events")

    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "unknown_ticket"


def test_streams_past_the_bound_get_a_503_with_retry_after(runtime, token):
    """Given an app allowing 1 stream and A001's stream open,
    when a second stream is requested, then it is 503 live_busy with Retry-After: 5;
    once the first closes, a new one opens."""
    app = create_app(runtime, {"TESTING": True, "LIVE_MAX_STREAMS": 1})
    client = app.test_client()
    ticket = issue(client, token).get_json()
    first, _ = open_stream(client, ticket["id"])

    refused = client.get(f"/t/{ticket['id']}/events")
    first.close()
    again, frames = open_stream(client, ticket["id"])
    again.close()

    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "5"
    assert refused.get_json()["error"] == {
        "code": "live_busy",
        "message": "Quá nhiều trang đang theo dõi trực tiếp (tối đa 1), đang thử lại",
        "message_en": "Too many live pages open (at most 1); retrying",
        "params": {"limit": 1}}
    assert again.status_code == 200


# --- the feed ----------------------------------------------------------------------------------


def test_a_commit_wakes_a_waiting_reader():
    """Given a reader waiting for a seq after 4,
    when seq 5 is published from another thread,
    then the reader returns 5 well before its 5 s timeout."""
    feed = CommitFeed(4)
    threading.Timer(0.05, feed.publish, (5,)).start()

    started = time.monotonic()
    assert feed.wait_after(4, timeout=5.0) == 5
    assert time.monotonic() - started < 1.0


def test_a_wait_without_commit_times_out_with_the_same_seq():
    """Given no commit, when a reader waits 0.1 s after seq 7, then it gets 7 back."""
    assert CommitFeed(7).wait_after(7, timeout=0.1) == 7


def test_the_writer_takes_no_lock_when_nobody_listens():
    """Given the feed's lock held by another thread and nobody waiting,
    when the writer publishes a commit,
    then it returns at once (it never touches the lock) and the seq is noted."""
    feed = CommitFeed(1)
    feed._condition.acquire()
    try:
        done = threading.Event()
        threading.Thread(target=lambda: (feed.publish(2), done.set()), daemon=True).start()
        assert done.wait(1.0)
    finally:
        feed._condition.release()
    assert feed.seq == 2


def test_closing_the_feed_wakes_every_reader():
    """Given two readers waiting, when the feed closes, then both return within 1 s."""
    feed = CommitFeed(3)
    returned = []
    readers = [threading.Thread(target=lambda: returned.append(feed.wait_after(3, 30.0)))
               for _ in range(2)]
    for reader in readers:
        reader.start()
    time.sleep(0.05)
    feed.close()
    for reader in readers:
        reader.join(1.0)
    assert returned == [3, 3]


# --- under waitress ------------------------------------------------------------------------------


def test_full_stream_slots_leave_threads_for_the_api(runtime, token):
    """Given waitress with 2 request threads and 2 stream slots, both streams open,
    when a third stream and the board are requested over real HTTP,
    then the third is 503, the board answers 200 within 2 s, and close() ends the open
    streams (their sockets reach end of file) and stops the server within 2 s, though
    their next keepalive is 15 s away."""
    app = create_app(runtime, {"LIVE_MAX_STREAMS": 2})
    ticket = issue(app.test_client(), token).get_json()
    server = _serve_on_free_port_with(app, threads=2)
    thread = server.start()
    streams = []
    try:
        for _ in range(2):
            streams.append(_open_raw_stream(server, ticket["id"]))
        assert len(server.wsgi_server.task_dispatcher.threads) == 4
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{server.url}/t/{ticket['id']}/events", timeout=5)
        started = time.monotonic()
        with urllib.request.urlopen(f"{server.url}/api/v1/board", timeout=5) as board:
            assert board.status == 200
        assert time.monotonic() - started < 2.0
    finally:
        stopping = time.monotonic()
        server.close()
        thread.join(5)
        stopped_in = time.monotonic() - stopping
        ends = [_read_to_end(stream) for stream in streams]
    assert refused.value.code == 503
    assert not thread.is_alive() and stopped_in < 2.0
    assert ends == [True, True]


def _read_to_end(stream: socket.socket) -> bool:
    """Whether the server closed ``stream`` (end of file within 2 s); closes it."""
    stream.settimeout(2.0)
    try:
        while stream.recv(65536):
            pass
        return True
    except OSError:
        return False
    finally:
        stream.close()


def _serve_on_free_port_with(app, threads: int):
    from motcua.server.serve import serve
    from tests.support.ports import free_port

    return serve(app, "127.0.0.1", free_port(), threads=threads)


def _open_raw_stream(server, ticket_id: str) -> socket.socket:
    """A socket with the stream's first event read (the stream now holds a worker)."""
    connection = socket.create_connection((server.effective_host, server.effective_port),
                                          timeout=5)
    connection.sendall(f"GET /t/{ticket_id}/events HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    received = b""
    while b"event: ticket" not in received:
        chunk = connection.recv(65536)
        assert chunk, "stream closed before its first event"
        received += chunk
    assert received.startswith(b"HTTP/1.1 200")
    return connection


def test_a_phone_that_goes_away_frees_its_slot_at_the_next_keepalive(runtime, token):
    """Given waitress with one stream open over a real socket (keepalive every 0.3 s),
    when the phone closes its connection without a word,
    then the stream's slot is free again within 3 s (the keepalive write fails)."""
    app = create_app(runtime, {"LIVE_MAX_STREAMS": 1, "LIVE_KEEPALIVE_S": KEEPALIVE_S})
    ticket = issue(app.test_client(), token).get_json()
    server = _serve_on_free_port_with(app, threads=2)
    server.start()
    try:
        stream = _open_raw_stream(server, ticket["id"])
        slots = live_of(app).slots
        assert slots.in_use == 1
        stream.close()
        deadline = time.monotonic() + 3.0
        while slots.in_use and time.monotonic() < deadline:
            time.sleep(0.05)
        assert slots.in_use == 0
    finally:
        server.close()


def test_a_head_request_gives_its_slot_back(client, app, token):
    """Given A001, when its stream is asked with HEAD (no body is ever read) and the
    server closes the response, as every WSGI server does,
    then it answered 200 text/event-stream and no slot stays taken."""
    ticket = issue(client, token).get_json()

    response = client.head(f"/t/{ticket['id']}/events")
    response.close()

    assert response.status_code == 200 and response.mimetype == "text/event-stream"
    assert live_of(app).slots.in_use == 0


def test_another_page_streams_the_board_with_the_same_helper(runtime, dispatcher, token):
    """Given an app with a page of its own streaming the committed board through
    event_stream (as /display will),
    when a ticket is issued after the stream opened,
    then the first event is the board now and the next one the board of the new seq."""
    from flask import Blueprint

    from motcua.server.live import event_stream
    from motcua.server.runtime import committed_snapshot, current_runtime

    board_page = Blueprint("board_page", __name__)

    @board_page.get("/test-board/events")
    def board_events():
        reads = current_runtime()
        return event_stream(lambda: committed_snapshot(reads).board, "board")

    app = create_app(runtime, {"TESTING": True})
    app.register_blueprint(board_page)
    client = app.test_client()
    response = client.get("/test-board/events", buffered=False)
    frames = iter(response.response)
    try:
        first = next(frames)
        issue(client, token)
        second = next(frames)
    finally:
        response.close()

    before = json.loads(first.decode().split("data: ", 1)[1])
    after = json.loads(second.decode().split("data: ", 1)[1])
    assert first.startswith(b"retry: 3000\n\nevent: board\ndata: ")
    assert (before["seq"], after["seq"]) == (dispatcher.seq - 1, dispatcher.seq)
    assert after == client.get("/api/v1/board").get_json()
