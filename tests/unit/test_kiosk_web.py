"""The kiosk's touch pages over Flask's test client, with the fake kiosk backend."""

from __future__ import annotations

import json
import re
import threading

import pytest
import segno

from kiosk.web import KioskWebSettings, create_kiosk_app
from kiosk.web.events import view_event, view_stream
from tests.support.fake_kiosk_backend import FakeKioskBackend

TAP = "3f2c9a8e-1b7d-4c55-9e0a-0d6b2f1e7a42"


@pytest.fixture
def backend() -> FakeKioskBackend:
    return FakeKioskBackend()


@pytest.fixture
def client(backend):
    return create_kiosk_app(backend, KioskWebSettings()).test_client()


def issue(client, **body):
    return client.post("/api/issue", json=body)


def boot_document(html: str) -> dict:
    match = re.search(r'<script id="boot" type="application/json">(.*?)</script>', html, re.S)
    assert match, "the page has no boot document"
    return json.loads(match.group(1))


# ---- the page ------------------------------------------------------------------------

def test_the_page_is_vietnamese_first_and_carries_view_catalog_and_settings(client, backend):
    """Given the default settings, When the page is fetched, Then it is HTML in Vietnamese
    (headings filled before any script runs) and its boot document holds the live view,
    both languages of the catalog and the timeouts in milliseconds."""
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert '<html lang="vi">' in html
    assert ">Xin mời chọn dịch vụ<" in html
    assert ">English<" in html
    boot = boot_document(html)
    assert boot["view"] == backend.live().as_json()
    assert boot["catalog"]["vi"]["home.heading"] == "Xin mời chọn dịch vụ"
    assert boot["catalog"]["en"]["home.heading"] == "Please choose a service"
    assert boot["settings"] == {"idle_timeout_ms": 45000, "result_timeout_ms": 20000,
                                "default_language": "vi", "timezone": "Asia/Ho_Chi_Minh",
                                "issue_retry_ms": 35000, "wedge": False,
                                "wedge_max_gap_ms": 50, "wedge_min_chars": 8}


def test_english_as_default_language_fills_the_page_in_english(backend):
    """Given default_language="en", When the page is fetched, Then its texts are English
    and the toggle offers Vietnamese."""
    client = create_kiosk_app(backend, KioskWebSettings(default_language="en")).test_client()
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert ">Please choose a service<" in html
    assert ">Tiếng Việt<" in html


def test_static_files_are_served_by_the_app_itself(client):
    """Given an offline kiosk (no CDN), When the page's script and style are fetched,
    Then the app serves them, the style with the DejaVu font stack."""
    script = client.get("/static/kiosk.js")
    style = client.get("/static/kiosk.css")
    assert script.status_code == 200 and b"new EventSource(\"events\")" in script.data
    assert style.status_code == 200
    assert b'font-family: "DejaVu Sans", "Noto Sans", sans-serif;' in style.data


def test_view_is_the_backends_live_view(client, backend):
    """Given a backend whose counts changed, When /api/view is read, Then it is exactly
    the backend's current view as JSON, Vietnamese unescaped."""
    backend.set_counts("dat-dai", waiting=9, est_wait_s=1080)
    response = client.get("/api/view")
    assert response.status_code == 200
    assert response.json == backend.live().as_json()
    assert response.json["version"] == 2
    assert response.json["services"][0]["waiting"] == 9
    assert "Đăng ký đất đai".encode() in response.data


def test_healthz_reports_online_and_version(client, backend):
    """Given a backend gone offline, When /healthz is read, Then the app answers ok with
    online false and the view's version."""
    backend.set_online(False)
    assert client.get("/healthz").json == {"ok": True, "online": False, "version": 2}


# ---- issuing -------------------------------------------------------------------------

def test_a_tap_issues_once_and_answers_the_outcome_with_its_qr(client, backend):
    """Given a service with 7 waiting, When a tap is posted, Then the backend is called
    once with it, and the answer is its outcome plus an inline SVG QR of the ticket URL
    with a four-module quiet zone."""
    response = issue(client, tap_id=TAP, service="dat-dai", priority="elderly")
    document = response.json
    assert response.status_code == 200
    assert [(c.tap_id, c.service, c.priority) for c in backend.issue_calls] == [
        (TAP, "dat-dai", "elderly")]
    assert document["ok"] is True and document["printed"] is True
    assert document["ticket"]["number"] == "A001"
    assert document["ticket"]["waiting_ahead"] == 7
    assert document["ticket_url"] == "http://hub.example/t/tk-3f2c9a8e"
    side = segno.make(document["ticket_url"], error="m").symbol_size(scale=1, border=4)[0]
    assert document["qr_svg"].startswith(f'<svg viewBox="0 0 {side} {side}"')
    assert "width=" not in document["qr_svg"].split(">")[0]


def test_the_same_tap_id_twice_issues_one_ticket(client, backend):
    """Given a tap already answered, When the page re-sends it (a retry), Then the same
    number comes back and only one ticket exists."""
    first = issue(client, tap_id=TAP, service="dat-dai", priority="normal").json
    second = issue(client, tap_id=TAP, service="dat-dai", priority="normal").json
    assert first["ticket"]["number"] == second["ticket"]["number"] == "A001"
    assert len(backend.issue_calls) == 2
    assert len(backend.issued) == 1


def test_a_refusal_is_answered_with_its_messages_and_no_qr(client, backend):
    """Given the hub refuses the next tap, When posted, Then the answer (200) carries
    ok false, the error code and both messages, and no QR."""
    backend.refuse_next("daily_cap_reached", "Dịch vụ đã hết số trong ngày.",
                        "The service has no more numbers today.")
    response = issue(client, tap_id=TAP, service="dat-dai", priority="normal")
    assert response.status_code == 200
    assert response.json["ok"] is False
    assert response.json["error_code"] == "daily_cap_reached"
    assert response.json["message_vi"] == "Dịch vụ đã hết số trong ngày."
    assert response.json["message_en"] == "The service has no more numbers today."
    assert "qr_svg" not in response.json
    assert backend.issued == []


def test_a_ticket_not_printed_still_comes_with_its_qr(client, backend):
    """Given a printer out of paper, When a tap is posted, Then the ticket is issued with
    printed false, the printer state and the QR the page shows large."""
    backend.fail_printing()
    document = issue(client, tap_id=TAP, service="ho-tich", priority="normal").json
    assert (document["ok"], document["printed"], document["printer"]) == (True, False,
                                                                         "paper_out")
    assert document["ticket"]["number"] == "C001"
    assert document["qr_svg"].startswith("<svg")


BAD_BODIES = [
    ("not json", b"{tap_id:", "errors.not_json",
     "Yêu cầu không hợp lệ: nội dung phải là JSON (Content-Type: application/json)."),
    ("a list", b'["x"]', "errors.not_object",
     "Yêu cầu không hợp lệ: nội dung phải là một đối tượng JSON."),
    ("unknown fields", json.dumps({"tap_id": TAP, "service": "dat-dai", "priority": "normal",
                                   "name": "Nguyễn Văn A", "count": 2}).encode(),
     "errors.unknown_fields", "Yêu cầu không hợp lệ: không nhận các trường count, name."),
    ("missing fields", json.dumps({"tap_id": TAP}).encode(), "errors.missing_fields",
     "Yêu cầu không hợp lệ: thiếu các trường service, priority."),
    ("short tap id", json.dumps({"tap_id": "abc", "service": "dat-dai",
                                 "priority": "normal"}).encode(), "errors.bad_tap_id",
     "Yêu cầu không hợp lệ: mã lần chạm (tap_id) phải gồm 8–64 chữ, số hoặc dấu gạch ngang."),
    ("numeric tap id", json.dumps({"tap_id": 12345678, "service": "dat-dai",
                                   "priority": "normal"}).encode(), "errors.bad_tap_id",
     "Yêu cầu không hợp lệ: mã lần chạm (tap_id) phải gồm 8–64 chữ, số hoặc dấu gạch ngang."),
    ("bad service", json.dumps({"tap_id": TAP, "service": "Đất Đai",
                                "priority": "normal"}).encode(), "errors.bad_service",
     "Yêu cầu không hợp lệ: mã dịch vụ (service) sai định dạng."),
    ("bad priority", json.dumps({"tap_id": TAP, "service": "dat-dai",
                                 "priority": "vip"}).encode(), "errors.bad_priority",
     "Yêu cầu không hợp lệ: đối tượng ưu tiên (priority) không có trong danh sách."),
]


@pytest.mark.parametrize(("case", "body", "key", "message"), BAD_BODIES,
                         ids=[case[0] for case in BAD_BODIES])
def test_a_bad_body_is_refused_in_vietnamese_and_issues_nothing(client, backend, case, body,
                                                                key, message):
    """Given a malformed tap, When posted, Then the answer is a JSON 400 whose Vietnamese
    message says what is wrong, with the English beside it, and the backend is never
    called."""
    response = client.post("/api/issue", data=body, content_type="application/json")
    assert response.status_code == 400
    error = response.json["error"]
    assert error["code"] == "bad_request"
    assert error["message"] == message
    assert error["message_en"].startswith("Invalid request: ")
    assert backend.issue_calls == []


def test_a_body_that_is_not_declared_json_is_refused(client, backend):
    """Given a form post (no JSON content type), When posted, Then 400 and nothing issued."""
    response = client.post("/api/issue", data={"tap_id": TAP, "service": "dat-dai",
                                               "priority": "normal"})
    assert response.status_code == 400
    assert response.json["error"]["message"].startswith("Yêu cầu không hợp lệ: nội dung phải là JSON")
    assert backend.issue_calls == []


def test_an_oversized_body_is_refused_with_the_limit_named(client, backend):
    """Given a body over max_request_bytes (1024), When posted, Then 413 with the limit in
    both languages, and nothing issued."""
    body = json.dumps({"tap_id": TAP, "service": "dat-dai", "priority": "normal",
                       "padding": "x" * 2000})
    response = client.post("/api/issue", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.json["error"] == {
        "code": "payload_too_large", "message": "Yêu cầu quá lớn: tối đa 1024 byte.",
        "message_en": "Request too large: at most 1024 bytes.", "params": {"limit": 1024}}
    assert backend.issue_calls == []


def test_a_backend_failure_is_a_json_500_in_vietnamese(backend):
    """Given a backend that raises, When a tap is posted, Then the page gets a JSON 500
    with a Vietnamese message instead of an HTML traceback."""
    def broken(tap_id, service, priority):
        raise RuntimeError("printer driver crashed")

    backend.issue = broken
    client = create_kiosk_app(backend, KioskWebSettings()).test_client()
    response = issue(client, tap_id=TAP, service="dat-dai", priority="normal")
    assert response.status_code == 500
    assert response.json["error"]["code"] == "internal_error"
    assert response.json["error"]["message"] == (
        "Máy cấp số gặp lỗi nội bộ. Vui lòng liên hệ cán bộ hướng dẫn.")


def test_unknown_routes_and_methods_answer_json(client):
    """Given a wrong address or method, Then a JSON error in Vietnamese, not HTML."""
    missing = client.get("/api/nothing")
    wrong_method = client.get("/api/issue")
    assert missing.status_code == 404
    assert missing.json["error"]["message"] == "Không tìm thấy địa chỉ này."
    assert wrong_method.status_code == 405
    assert wrong_method.json["error"]["message"] == "Phương thức không được hỗ trợ ở địa chỉ này."


# ---- the event stream ----------------------------------------------------------------

def test_view_event_frames_one_view_with_its_version_as_id(backend):
    """Given a view, When framed, Then it is one SSE event named view, id = version, one
    data line of the view's JSON (Vietnamese unescaped), ended by a blank line."""
    frame = view_event(backend.live())
    lines = frame.split("\n")
    assert lines[:2] == ["event: view", "id: 1"]
    assert lines[2].startswith("data: {")
    assert json.loads(lines[2][len("data: "):]) == backend.live().as_json()
    assert "Trung tâm Phục vụ hành chính công" in lines[2]
    assert lines[3:] == ["", ""]


def test_the_stream_sends_retry_then_the_view_then_each_change(backend):
    """Given a stream, When it starts, Then it says retry and sends the current view; When
    the backend goes offline, Then the next frame is the new view; When nothing changes
    for the keep-alive time, Then a comment line is sent."""
    frames = view_stream(backend, keepalive_s=0.5, retry_ms=2000)
    assert next(frames) == "retry: 2000\n\n"
    assert json.loads(next(frames).split("data: ", 1)[1])["version"] == 1
    threading.Timer(0.01, backend.set_online, args=(False,)).start()
    changed = next(frames)
    assert changed.startswith("event: view\nid: 2\n")
    assert json.loads(changed.split("data: ", 1)[1])["online"] is False
    assert next(frames) == ": keepalive\n\n"


def test_events_route_streams_server_sent_events(client, backend):
    """Given the /events route, When opened, Then it is text/event-stream, not cached, and
    its first bytes are the retry line and the current view."""
    response = client.get("/events", buffered=False)
    try:
        assert response.status_code == 200
        assert response.mimetype == "text/event-stream"
        assert response.headers["Cache-Control"] == "no-cache"
        chunks = iter(response.response)
        assert next(chunks) == b"retry: 2000\n\n"
        assert next(chunks).startswith(b"event: view\nid: 1\ndata: {")
    finally:
        response.close()


def test_settings_refuse_an_unknown_language_naming_the_key():
    """Given default_language "fr", When settings are built, Then refused naming the key."""
    with pytest.raises(ValueError, match=r"^default_language: 'fr' is not one of vi, en$"):
        KioskWebSettings(default_language="fr")
