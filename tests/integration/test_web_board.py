"""The web board /display, its event stream, plans and clips, over a real dispatcher on
SQLite (the same fixtures as the API tests) and the committed sounds library."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from motcua.server import create_app
from motcua.server.board_page import VOICE_KEY
from motcua.server.board_voice import MANIFEST_NAME, VoiceSettings, default_sounds_dir
from motcua.speech import parse_manifest, plan_announcement
# The same clock, site store, dispatcher, runtime and kiosk helpers as the API tests.
from tests.integration.test_http_api import (  # noqa: F401 - pytest fixtures
    clock, dispatcher, issue, run, runtime, store, token,
)
from tests.integration.test_ticket_page import text_of

KEEPALIVE_S = 0.3
SOUNDS = default_sounds_dir()
#: "Xin mời công dân có số thứ tự | A | mười | lăm | đến quầy số | ba", twice, chime first.
A015_AT_3 = ["chime"] + ["phrase_invite", "letter_a", "ten", "five_after_ten",
                         "phrase_to_counter", "digit_3"] * 2


@pytest.fixture
def app(runtime):
    return create_app(runtime, {"TESTING": True, "LIVE_KEEPALIVE_S": KEEPALIVE_S})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def manifest():
    return parse_manifest((SOUNDS / MANIFEST_NAME).read_text(encoding="utf-8"))


def open_stream(client):
    """``(response, frames)``: the open board stream and an iterator over its chunks."""
    response = client.get("/display/events", buffered=False)
    return response, iter(response.response)


def data_of(chunk: bytes) -> dict:
    return json.loads(chunk.decode().split("data: ", 1)[1])


def call_a001_at(dispatcher, token_client, token, counter: int = 2) -> None:
    issue(token_client, token)
    run(dispatcher, "open", counter=counter, clerk="Lan")
    run(dispatcher, "call_next", counter=counter)


# --- the page ------------------------------------------------------------------------------


def test_the_page_shows_the_board_in_vietnamese(client, dispatcher, token):
    """Given A001 and A002 issued for đất đai and counter 2 calling A001,
    when the TV opens /display,
    then the page is Vietnamese: the center's name, "Bảng gọi số", Quầy 1–3 with their
    numbers and statuses, "Mời số A001 đến quầy 2", the waiting counts per service, the
    default notice, the hidden offline banner and the sound button, with no-store and a
    strict Content-Security-Policy."""
    issue(client, token)
    call_a001_at(dispatcher, client, token)

    response = client.get("/display")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    html = response.get_data(as_text=True)
    assert '<html lang="vi">' in html
    assert "<title>Bảng gọi số · Bộ phận Một cửa thử nghiệm</title>" in html
    assert text_of("site-name", html) == "Bộ phận Một cửa thử nghiệm"
    tiles = [(f"Quầy {n}", number, status) for n, number, status in
             ((1, "—", "Đóng"), (2, "A001", "Đang phục vụ"), (3, "—", "Đóng"))]
    tight = re.sub(r">\s+<", "><", html)
    for name, number, status in tiles:
        assert (f'<p class="tile-name">{name}</p><p class="tile-number">{number}</p>'
                f'<p class="tile-status">{status}</p>') in tight
    assert (text_of("call-number", html), text_of("call-counter", html)) == ("A001",
                                                                              "đến quầy 2")
    assert ('<li><span class="service-name">Đất đai</span>'
            '<span class="service-count">1</span></li>') in html
    assert ('<li><span class="service-name">Hộ tịch</span>'
            '<span class="service-count">0</span></li>') in html
    assert text_of("notice", html).startswith("Vui lòng theo dõi số thứ tự trên màn hình")
    assert 'role="status" hidden>Mất kết nối máy chủ — đang thử lại</div>' in html
    assert text_of("sound", html) == "Bật âm thanh (Turn sound on)"


def test_the_notice_comes_from_the_config_and_english_is_offered(runtime):
    """Given BOARD_NOTICE set, when /display?lang=en is opened,
    then the ticker says the configured notice and the page is English."""
    notice = "Trung tâm nghỉ trưa từ 11:30 đến 13:30."
    client = create_app(runtime, {"TESTING": True, "BOARD_NOTICE": notice}).test_client()

    html = client.get("/display?lang=en").get_data(as_text=True)

    assert text_of("notice", html) == notice
    assert '<html lang="en">' in html
    assert text_of("call-counter", html) == "No number called yet"


def test_the_page_data_holds_the_clips_and_the_catalog(client):
    """Given the committed vi voice, when the page is rendered,
    then its data names every clip of the manifest with a versioned URL, the site's time
    zone, the 60 s age limit and the Vietnamese catalog."""
    html = client.get("/display").get_data(as_text=True)
    start = html.index('id="page-data">') + len('id="page-data">')
    page = json.loads(html[start:html.index("</script>", start)])

    manifest = parse_manifest((SOUNDS / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert sorted(page["clips"]) == sorted(manifest.clips)
    assert page["clips"]["chime"].startswith("/display/sounds/vi/chime.ogg?v=")
    assert (page["timezone"], page["max_age_s"], page["events"]) == (
        "Asia/Ho_Chi_Minh", 60.0, "/display/events")
    assert page["texts"]["vi"]["offline"] == "Mất kết nối máy chủ — đang thử lại"
    assert page["texts"]["vi"]["sound_hint"] == "Bật âm thanh (Turn sound on)"


def test_the_board_scripts_and_style_are_served(client):
    """When the board's script, audio queue and style are fetched, then all three are
    served and the style uses the Vietnamese-complete font stack."""
    style = client.get("/static/board.css")
    assert style.status_code == 200
    assert b'font-family: "DejaVu Sans", "Noto Sans", sans-serif' in style.data
    assert b"motcuaAnnouncer.create" in client.get("/static/board.js").data
    assert b"window.motcuaAnnouncer" in client.get("/static/board_audio.js").data


# --- the event stream ------------------------------------------------------------------------


def test_the_first_event_is_the_committed_board_now(client, dispatcher, token):
    """Given A001 called at counter 2,
    when the board stream opens,
    then it is text/event-stream, and the first chunk is a 3 s retry then one ``board``
    event whose board is exactly GET /api/v1/board, whose calls hold A001's call with
    its announcement plan, and whose ``now`` is the hub's clock in the site's zone."""
    call_a001_at(dispatcher, client, token)
    board = client.get("/api/v1/board").get_json()

    response, frames = open_stream(client)
    try:
        first = next(frames)
    finally:
        response.close()

    assert response.headers["Content-Type"] == "text/event-stream; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    head, _, rest = first.decode().partition("event: board\ndata: ")
    assert head == "retry: 3000\n\n"
    assert rest.endswith("}\n\n") and rest.count("\n") == 2
    frame = json.loads(rest)
    assert list(frame) == ["board", "calls", "now"]
    assert frame["board"] == board
    assert frame["now"] == "2026-11-23T08:00:00+07:00"
    call = frame["calls"][0]
    assert {key: call[key] for key in ("epoch", "ticket", "counter", "service", "recall", "at")} == {
        "epoch": board["epoch"], "ticket": "A001", "counter": 2, "service": "dat-dai",
        "recall": 0, "at": "2026-11-23T08:00:00+07:00"}
    assert call["seq"] == board["seq"]
    assert call["plan"]["text"] == "Xin mời công dân có số thứ tự A một đến quầy số hai"


def test_a_recall_is_pushed_as_a_recall_with_its_own_plan(client, dispatcher, token, manifest):
    """Given A001 called at counter 2 and the board stream open,
    when counter 2 recalls, then the next event's calls end with A001 recall 1 at a higher
    seq, planned with the recall template exactly as motcua.speech plans it."""
    call_a001_at(dispatcher, client, token)
    response, frames = open_stream(client)
    try:
        before = data_of(next(frames))
        run(dispatcher, "recall", counter=2)
        after = data_of(next(frames))
    finally:
        response.close()

    first, again = after["calls"]
    assert first == before["calls"][0]
    assert (again["ticket"], again["counter"], again["recall"]) == ("A001", 2, 1)
    assert again["seq"] == after["board"]["seq"] > first["seq"]
    assert again["plan"] == plan_announcement("A001", 2, manifest, recall=1).as_json()
    assert again["plan"]["text"] == (
        "Xin mời lần nữa công dân có số thứ tự A một đến quầy số hai")
    # The board itself cannot tell: its recent calls are the same.
    assert after["board"]["recent"] == before["board"]["recent"]


def test_calls_older_than_the_age_limit_carry_no_plan(client, clock, dispatcher, token):
    """Given A001 called at counter 2, when 61 s pass and the stream opens,
    then the call is still listed but without a plan: it is never announced."""
    call_a001_at(dispatcher, client, token)
    clock.advance(seconds=61)

    response, frames = open_stream(client)
    try:
        frame = data_of(next(frames))
    finally:
        response.close()

    assert [call["ticket"] for call in frame["calls"]] == ["A001"]
    assert "plan" not in frame["calls"][0]
    assert frame["now"] == "2026-11-23T08:01:01+07:00"


# --- plans ---------------------------------------------------------------------------------


def test_the_plan_of_a015_at_counter_3_is_the_announcers(client, manifest):
    """When the plan of A015 at counter 3 is asked,
    then its clips are the chime then "Xin mời … A mười lăm đến quầy số ba" twice, equal
    to motcua.speech's plan with the same defaults (2 repeats, whole reading), with a
    URL for each clip."""
    response = client.get("/display/plan?ticket=A015&counter=3")

    assert response.status_code == 200
    body = response.get_json()
    assert [step["clip"] for step in body["steps"]] == A015_AT_3
    expected = plan_announcement("A015", 3, manifest, repeats=2).as_json()
    assert {key: body[key] for key in ("text", "fallback", "steps")} == expected
    assert body["text"] == "Xin mời công dân có số thứ tự A mười lăm đến quầy số ba"
    assert (body["ticket"], body["counter"], body["recall"], body["voice"]) == (
        "A015", 3, 0, "vi")
    assert sorted(body["urls"]) == sorted(set(A015_AT_3))
    assert body["urls"]["ten"].startswith("/display/sounds/vi/ten.ogg?v=")


@pytest.mark.parametrize("query, field", [
    ("ticket=A 15&counter=3", "ticket"), ("ticket=&counter=3", "ticket"),
    ("ticket=A015&counter=0", "counter"), ("ticket=A015&counter=ba", "counter"),
    ("ticket=A015&counter=3&recall=-1", "recall"), ("ticket=A015", "counter"),
])
def test_a_bad_plan_request_is_400_naming_the_field(client, query, field):
    """When a plan is asked with a malformed ticket, counter or recall,
    then it is 400 invalid_argument naming that field."""
    response = client.get(f"/display/plan?{query}")

    assert response.status_code == 400
    error = response.get_json()["error"]
    assert (error["code"], error["params"]["field"]) == ("invalid_argument", field)


# --- clips -----------------------------------------------------------------------------------


def test_a_clip_is_served_as_ogg_cacheable_for_a_year(client):
    """When the chime is fetched, then its bytes are the committed file's, as audio/ogg,
    cacheable for a year without revalidation."""
    response = client.get("/display/sounds/vi/chime.ogg")

    assert response.status_code == 200
    assert response.mimetype == "audio/ogg"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.data == (SOUNDS / "vi" / "chime.ogg").read_bytes()
    assert response.data[:4] == b"OggS"


@pytest.mark.parametrize("path", [
    "/display/sounds/vi/../manifest.toml", "/display/sounds/vi/..%2Fmanifest.toml",
    "/display/sounds/vi/%2e%2e/manifest.toml", "/display/sounds/../manifest.toml",
    "/display/sounds/vi//etc/passwd", "/display/sounds/vi/nope.ogg",
    "/display/sounds/vi-south/chime.ogg", "/display/sounds/x/chime.ogg",
    "/display/sounds/vi/chime.OGG", "/display/sounds/vi/chime",
])
def test_anything_but_a_named_clip_is_404(client, path):
    """When a path outside the voice, an unknown clip or an undeclared voice is asked,
    then it is the API's 404 JSON and no file content (after Werkzeug's redirect of a
    doubled slash)."""
    response = client.get(path, follow_redirects=True)

    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_a_missing_clip_makes_the_plan_fall_back_like_the_announcer(runtime, tmp_path, manifest):
    """Given a sounds folder whose vi voice lacks "lăm" (five_after_ten.ogg),
    when A015 at counter 3 is planned, then it is read digit by digit ("A không một năm"),
    exactly as motcua.speech plans it without that clip, and the clip's URL is 404."""
    sounds = tmp_path / "sounds"
    shutil.copytree(SOUNDS, sounds)
    (sounds / "vi" / "five_after_ten.ogg").unlink()
    client = create_app(runtime, {"TESTING": True,
                                  "BOARD_SOUNDS_DIR": str(sounds)}).test_client()

    body = client.get("/display/plan?ticket=A015&counter=3").get_json()

    available = set(manifest.clips) - {"five_after_ten"}
    assert body["fallback"] == "digits"
    assert body["text"] == "Xin mời công dân có số thứ tự A không một năm đến quầy số ba"
    expected = plan_announcement("A015", 3, manifest, available=available).as_json()
    assert body["steps"] == expected["steps"]
    assert client.get("/display/sounds/vi/five_after_ten.ogg").status_code == 404


def test_without_sounds_the_board_still_shows(runtime, tmp_path, dispatcher, token):
    """Given a sounds folder with no manifest, when the app starts,
    then the board page still renders (no clips, so no sound button is offered) and the
    plan endpoint is 501 not_available."""
    app = create_app(runtime, {"TESTING": True, "BOARD_SOUNDS_DIR": str(tmp_path)})
    client = app.test_client()

    assert app.extensions[VOICE_KEY] is None
    html = client.get("/display").get_data(as_text=True)
    assert '"clips": {}' in html
    response = client.get("/display/plan?ticket=A015&counter=3")
    error = response.get_json()["error"]
    assert (response.status_code, error["code"]) == (501, "not_available")
    assert error["message"] == "Chức năng âm thanh bảng gọi số chưa được bật tại điểm này"


@pytest.mark.parametrize("config, key", [
    ({"BOARD_READING_MODE": "mixed"}, "BOARD_READING_MODE"),
    ({"BOARD_DIALECT": "central"}, "BOARD_DIALECT"),
    ({"BOARD_REPEATS": 0}, "BOARD_REPEATS"),
    ({"BOARD_TEMPLATE": "Mời số {ticket}"}, "BOARD_TEMPLATE"),
])
def test_bad_voice_settings_name_the_key(config, key):
    """When a voice setting is invalid, then the error names its Flask config key."""
    with pytest.raises(ValueError, match=key):
        VoiceSettings.from_config(config)


def test_digit_reading_and_three_repeats_are_honoured(runtime, manifest):
    """Given BOARD_READING_MODE = digits and BOARD_REPEATS = 3,
    when A015 at counter 3 is planned, then it is "A không một năm", said three times."""
    client = create_app(runtime, {"TESTING": True, "BOARD_READING_MODE": "digits",
                                  "BOARD_REPEATS": 3}).test_client()

    body = client.get("/display/plan?ticket=A015&counter=3").get_json()

    assert body["steps"] == plan_announcement("A015", 3, manifest, mode="digits",
                                              repeats=3).as_json()["steps"]
    assert [step["clip"] for step in body["steps"]].count("phrase_invite") == 3
    assert body["text"] == "Xin mời công dân có số thứ tự A không một năm đến quầy số ba"
