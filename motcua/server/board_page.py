"""``/display``: the lobby board for TVs that only have a browser.

The same content as the pygame board (``motcua display``), pushed live and spoken with the
same clips in the same order:

- ``GET /display``: the full-screen page, rendered with the board as it is now;
- ``GET /display/events``: server-sent ``board`` events (:func:`board_frame`): the
  committed board, the last call events (with the announcement plan of every call still
  young enough to be announced) and the hub's clock, after every commit that changed them;
- ``GET /display/plan?ticket=A015&counter=3&recall=0``: one call's announcement plan;
- ``GET /display/sounds/<voice>/<file>``: the voice's clips, read-only, cacheable for a
  year (their URLs carry a version).

The page announces a call once: what the stream holds when the page opens is the past
(never announced, so a reload or a reconnect repeats nothing); a call with a higher
``seq`` in the same ``epoch``, or any call of a new epoch, is new. Which calls are
recalls comes from the calls' ``recall`` count (:class:`motcua.snapshot.CallLog`).

Flask config: ``BOARD_NOTICE`` (the scrolling line; default :data:`board_text.TEXTS`
``notice``), ``BOARD_MAX_AGE_S`` (60: older calls are never announced), ``BOARD_BLINK_S``
(10: how long a new call blinks) and the voice keys of :mod:`.board_voice`.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any, Mapping

from flask import Blueprint, Flask, Response, current_app, render_template, request, send_file

from motcua.domain.views import iso

from .board_text import LANGUAGES, catalog, counter_status_key, text
from .board_voice import BoardVoice, VoiceSettings
from .errors import ApiError
from .live import event_stream
from .runtime import HubRuntime, committed_snapshot, current_runtime

log = logging.getLogger(__name__)

board_page = Blueprint("web_board", __name__)

#: Key of the :class:`BoardVoice` (or None: no usable sounds) in ``app.extensions``.
VOICE_KEY = "motcua.board_voice"
#: SSE event name of a board frame.
BOARD_EVENT = "board"
MAX_AGE_S = 60
BLINK_S = 10
#: What the plan endpoint accepts as a ticket (the contract's 1 to 16 characters, no
#: spaces); a ticket the voice cannot read is planned as the chime alone.
TICKET_NUMBER = re.compile(r"[0-9A-Za-zĐđ_-]{1,16}")
WHOLE_NUMBER = re.compile(r"[0-9]{1,4}")
#: Clips never change under a versioned URL: a year, and no revalidation.
CLIP_CACHE = "public, max-age=31536000, immutable"
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "media-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
}


@board_page.record_once
def _install_voice(state) -> None:
    install_board_voice(state.app)


def install_board_voice(app: Flask) -> BoardVoice | None:
    """Read the voice the board speaks with (``BOARD_*`` config); None when the sounds
    folder or its manifest cannot be read: the board then shows calls without sound."""
    voice: BoardVoice | None
    try:
        voice = BoardVoice(VoiceSettings.from_config(app.config))
    except (OSError, KeyError, ValueError) as exc:
        log.error("web board without sound: %s", exc)
        voice = None
    app.extensions[VOICE_KEY] = voice
    return voice


def current_voice() -> BoardVoice | None:
    return current_app.extensions.get(VOICE_KEY)


def board_frame(runtime: HubRuntime, voice: BoardVoice | None,
                max_age_s: float = MAX_AGE_S) -> dict[str, Any]:
    """What one ``board`` event carries: ``{"board", "calls", "now"}``.

    ``board`` is the committed board (the contract's, as retained on MQTT); ``calls`` the
    last call events, oldest first, each with its ``plan`` (``plan_announcement(...)
    .as_json()``) while it is at most ``max_age_s`` old by the hub's clock; ``now`` the
    hub's clock, which the page shows and judges ages by (a TV's own clock may be off).

    Raises:
        ApiError: 503 ``not_ready`` when no committed snapshot can be read.
    """
    snapshot = committed_snapshot(runtime)
    now = runtime.dispatcher.clock()
    calls = []
    for call in snapshot.calls:
        entry = dict(call)
        age = (now - dt.datetime.fromisoformat(call["at"])).total_seconds()
        if voice is not None and age <= max_age_s:
            entry["plan"] = voice.plan(call["ticket"], call["counter"], call["recall"])
        calls.append(entry)
    return {"board": snapshot.board, "calls": calls,
            "now": iso(now, runtime.setup.timezone)}


@board_page.get("/display")
def show_board() -> Response:
    """The board page, rendered with the board as it is now (empty if not ready yet)."""
    runtime = current_runtime()
    voice = current_voice()
    language = _language()
    config = current_app.config
    try:
        frame: dict[str, Any] | None = board_frame(runtime, voice, _max_age_s())
    except ApiError:
        frame = None  # the stream brings it as soon as the writer answers
    board = frame["board"] if frame else {"counters": [], "services": [], "recent": []}
    latest = _latest_call(frame)

    def t(key: str, **params: object) -> str:
        return text(key, language, **params)

    counters = [{**counter, "status_text": t(counter_status_key(counter["status"],
                                                                counter["ticket"]))}
                for counter in board["counters"]]
    context = {
        "language": language,
        "site_name": runtime.setup.name,
        "counters": counters,
        "services": board["services"],
        "recent": board["recent"],
        "latest": latest,
        "notice": config.get("BOARD_NOTICE") or t("notice"),
        "page": {
            "language": language,
            "texts": catalog(),
            "timezone": runtime.setup.timezone,
            "events": "/display/events",
            "frame": frame,
            "clips": voice.clip_urls() if voice is not None else {},
            "max_age_s": _max_age_s(),
            "blink_s": float(config.get("BOARD_BLINK_S", BLINK_S)),
        },
        "t": t,
    }
    return Response(render_template("board.html", **context), headers=PAGE_HEADERS)


@board_page.get("/display/events")
def board_events() -> Response:
    """The board frames as ``text/event-stream``: now, then after every commit."""
    runtime = current_runtime()
    voice = current_voice()
    max_age_s = _max_age_s()
    return event_stream(lambda: board_frame(runtime, voice, max_age_s), BOARD_EVENT)


@board_page.get("/display/plan")
def announcement_plan() -> Response:
    """``{"ticket", "counter", "recall", "voice", "text", "fallback", "steps", "urls"}``:
    what the board plays for a call. 400 ``invalid_argument`` naming the bad field, 501
    ``not_available`` when the hub has no sounds."""
    voice = current_voice()
    if voice is None:
        raise ApiError("not_available", feature="board_sound")
    ticket = request.args.get("ticket", "")
    if not TICKET_NUMBER.fullmatch(ticket):
        raise ApiError("invalid_argument", field="ticket")
    counter = _whole(request.args.get("counter", ""), "counter", 1, 999)
    recall = _whole(request.args.get("recall", "0"), "recall", 0, 99)
    plan = voice.plan(ticket, counter, recall)
    urls = voice.clip_urls()
    return current_app.json.response({
        "ticket": ticket, "counter": counter, "recall": recall, "voice": voice.voice,
        **plan, "urls": {step["clip"]: urls[step["clip"]] for step in plan["steps"]},
    })


@board_page.get("/display/sounds/<voice_name>/<path:file>")
def clip(voice_name: str, file: str) -> Response:
    """One clip of the voice; 404 ``not_found`` for anything the manifest does not name."""
    voice = current_voice()
    path = voice.clip_file(voice_name, file) if voice is not None else None
    if path is None:
        raise ApiError("not_found", path=request.path[:200])
    response = send_file(path, mimetype=voice.content_type(path), conditional=True,
                         max_age=None)
    response.headers["Cache-Control"] = CLIP_CACHE
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _latest_call(frame: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The call the big panel shows: the last call event, else the board's newest call."""
    if not frame:
        return None
    if frame["calls"]:
        return dict(frame["calls"][-1])
    recent = frame["board"]["recent"]
    return {**recent[0], "recall": 0} if recent else None


def _whole(value: str, field: str, low: int, high: int) -> int:
    if not WHOLE_NUMBER.fullmatch(value) or not low <= int(value) <= high:
        raise ApiError("invalid_argument", field=field)
    return int(value)


def _max_age_s() -> float:
    return float(current_app.config.get("BOARD_MAX_AGE_S", MAX_AGE_S))


def _language() -> str:
    chosen = request.args.get("lang", LANGUAGES[0])
    return chosen if chosen in LANGUAGES else LANGUAGES[0]
