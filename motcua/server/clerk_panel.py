"""``/counter/{n}``: the clerk web panel, a counter's buttons in a browser.

A clerk logs in (:mod:`.clerk_auth`), opens the panel of a counter they may operate, and
every button or shortcut posts one counter action of contract v1 to
``/counter/{n}/actions/{action}``. The action goes through the hub's one dispatcher
queue exactly like an MQTT ``counter/{n}/cmd``: same argument models, same engine, same
idempotence, keyed by (``http/panel/{n}``, the click's request id), so a double click or
a retried request acts once. ``open`` always sends the logged-in account's display name
as the clerk, whatever the browser says.

The panel's data (current ticket, waiting list, today's count, and for managers today's
ratings) streams from ``/counter/{n}/events``, read from committed snapshots
(:mod:`.clerk_view` through ``CommittedReads.derived``) and pushed after each commit
(:func:`.live.event_stream`). A clerk at a counter not theirs gets a Vietnamese refusal
(page or JSON 403 ``counter_forbidden``) and a log line.
"""

from __future__ import annotations

import logging
from typing import Any, Mapping
from urllib.parse import urlsplit

from flask import (
    Blueprint, Response, current_app, jsonify, redirect, render_template, request, session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import generate_csrf

from motcua import contract
from motcua.dispatch import Request
from motcua.domain import Command, Priority
from motcua.domain.views import iso
from motcua.errors import WireError
from motcua.snapshot import SnapshotUnavailable
from motcua.store.users import authenticate

from .clerk_auth import PanelUser, login_limiter
from .clerk_text import LANGUAGES, catalog, text
from .clerk_view import counter_panel_view, ratings_view
from .dossier_access import dossier_finder
from .errors import ApiError, error_response
from .live import event_stream
from .runtime import HubRuntime, current_runtime

log = logging.getLogger(__name__)

clerk_panel = Blueprint("clerk_panel", __name__)

#: SSE event name of a panel view.
PANEL_EVENT = "panel"
#: Where the procedure names of return-of-results dossiers are kept (``app.extensions``),
#: and how many at most before the cache starts again.
PROCEDURE_NAMES_KEY = "motcua.dossier_procedures"
PROCEDURE_NAMES_KEPT = 512
#: How long a click waits for the dispatcher's durable answer.
EXECUTE_TIMEOUT_S = 10.0
#: The panel's own resources only.
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}
#: Counter actions of the panel, each with its keyboard shortcut (see clerk.js).
SHORTCUTS: dict[str, str] = {
    "call_next": "N", "recall": "R", "start": "S", "finish": "F", "no_show": "V",
    "hold": "H", "call": "G", "transfer": "T", "walk_in": "W", "set_priority": "U",
    "pause": "P", "resume": "P", "open": "O", "close": "X",
}


@clerk_panel.before_request
def _check_csrf() -> None:
    # Every state-changing request of the panel carries the session's CSRF token.
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        current_app.extensions["csrf"].protect()


@clerk_panel.after_request
def _headers(response: Response) -> Response:
    for name, value in PAGE_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


# --- login ----------------------------------------------------------------------------------


@clerk_panel.get("/counter/login")
def login_page() -> Response:
    return _login_page()


@clerk_panel.post("/counter/login")
def login() -> Response:
    """Check the password (rate-limited per username and address); on success open a
    session and go to ``next`` or the first counter the account may operate."""
    runtime = current_runtime()
    username = request.form.get("username", "").strip().lower()[:64]
    password = request.form.get("password", "")
    address = request.remote_addr or "?"
    limiter = login_limiter(current_app)
    wait = limiter.retry_after(username, address)
    if wait is not None:
        log.warning("login of %r from %s refused: too many failures (retry in %d s)",
                    username, address, wait)
        return _login_page(error=text("login.limited", _language(), retry_s=wait),
                           status=429, headers={"Retry-After": str(wait)}, username=username)
    account = authenticate(runtime.store.engine, runtime.store.site_id, username, password)
    if account is None:
        limiter.failed(username, address)
        log.warning("failed login of %r from %s", username, address)
        return _login_page(error=text("login.failed", _language()), status=401,
                           username=username)
    limiter.succeeded(username)
    session.clear()  # a fresh session (and CSRF token) for the new login
    login_user(PanelUser(account))
    session.permanent = True
    log.info("%s (%s) logged in from %s", account.username, account.role, address)
    return redirect(_after_login(account, request.form.get("next", "")), code=303)


@clerk_panel.post("/counter/logout")
def logout() -> Response:
    if current_user.is_authenticated:
        log.info("%s logged out", current_user.account.username)
    logout_user()
    session.clear()
    return redirect(url_for(".login_page"), code=303)


@clerk_panel.get("/counter/")
@clerk_panel.get("/counter")
def home() -> Response:
    if not current_user.is_authenticated:
        return redirect(url_for(".login_page"))
    return redirect(_after_login(current_user.account, ""))


# --- the panel ------------------------------------------------------------------------------


@clerk_panel.get("/counter/<int:number>")
def panel(number: int) -> Response:
    """The panel of counter ``number``; login page if not logged in, 403 page if the
    account may not operate it, 404 page if there is no such counter."""
    runtime = current_runtime()
    language = _language()
    if not current_user.is_authenticated:
        return redirect(url_for(".login_page", next=f"/counter/{number}"))
    if number not in runtime.setup.counters:
        message = ApiError("unknown_counter", counter=number).error
        return _message_page("not_found_title",
                             message["message_en" if language == "en" else "message"], 404)
    account = current_user.account
    if not account.may_operate(number):
        _log_refusal(number)
        return _message_page("forbidden_title", text("forbidden_body", language,
                                                     username=account.username, counter=number),
                             403, counters=_permitted(runtime, account))
    setup = runtime.setup
    page = {
        "counter": number,
        "user": {"username": account.username, "name": account.display_name,
                 "role": account.role, "supervisor": account.is_supervisor},
        "services": [{"code": code, "name": service.name}
                     for code, service in setup.services.items()],
        "counters": [{"number": n, "name": c.name} for n, c in sorted(setup.counters.items())],
        "priorities": [p.value for p in Priority if p is not Priority.NORMAL],
        "priority_labels": {p.value: label for p, label in
                            (runtime.priority_labels or {}).items()},
        "rating_levels": setup.rules.rating_levels,
        "shortcuts": SHORTCUTS,
        "texts": catalog(),
        "events": url_for(".panel_events", number=number),
        "actions": f"/counter/{number}/actions/",
        "ratings": url_for(".ratings_today"),
    }
    context = {
        "language": language,
        "site_name": setup.name,
        "counter": number,
        "counter_name": setup.counters[number].name,
        "account": account,
        "permitted": _permitted(runtime, account),
        "csrf_token": generate_csrf(),
        "page": page,
        "shortcuts": SHORTCUTS,
        "t": lambda key, **params: text(key, language, **params),
    }
    return Response(render_template("clerk.html", **context))


@clerk_panel.get("/counter/<int:number>/events")
def panel_events(number: int) -> Response:
    """The counter's panel view as ``text/event-stream``, after every commit that
    changed it; 401 ``login_required``, 403 ``counter_forbidden`` as JSON."""
    runtime = current_runtime()
    account = _operator(runtime, number)
    # The stream runs outside the app context: take the app's cache now.
    procedures = current_app.extensions.setdefault(PROCEDURE_NAMES_KEY, {})

    def read() -> Mapping[str, Any] | None:
        _snapshot, view = runtime.reads.derived(("counter", number),
                                                counter_panel_view(number))
        if view is None:
            raise ApiError("unknown_counter", counter=number)
        fresh = dict(view)
        if fresh["current"] is not None and fresh["current"]["dossier"] is not None:
            fresh["current"] = _with_procedure(runtime, fresh["current"], procedures)
        if account.is_supervisor:
            fresh["ratings"] = runtime.reads.derived(("ratings",), ratings_view)[1]
        # The browser ticks the waiting and service times from this clock, not its own.
        fresh["now"] = iso(runtime.dispatcher.clock(), runtime.setup.timezone)
        return fresh

    try:
        return event_stream(read, PANEL_EVENT)
    except SnapshotUnavailable:
        raise ApiError("not_ready") from None


@clerk_panel.post("/counter/<int:number>/actions/<action>")
def act(number: int, action: str) -> Response:
    """Do ``action`` at counter ``number`` through the dispatcher; the JSON body is the
    contract's command without ``action`` (``{"id", ...args}``). The answer is the
    contract's reply ``{"id", "ok", "ticket", "error"}`` (error status on refusal)."""
    runtime = current_runtime()
    account = _operator(runtime, number)
    if action not in contract.COUNTER_ACTIONS:
        raise ApiError("unknown_action", action=action[:32])
    try:
        body = contract.json_object(request.get_data())
    except contract.ContractError as error:
        raise ApiError(error.code, **error.params) from None
    request_id = body.pop("id", None)
    if not contract.is_request_id(request_id):
        raise ApiError("invalid_argument", field="id")
    if action == "open":
        # The clerk at the counter is who logged in, not whatever the page sent.
        body["clerk"] = account.display_name
    try:
        args = contract.parse_args(contract.TopicKind.COUNTER_CMD, action, body)
    except contract.ContractError as error:
        raise ApiError(error.code, **error.params) from None
    command = Request(Command(action, args, counter=number, clerk=account.display_name),
                      source=f"http/panel/{number}", request_id=request_id)
    try:
        result = runtime.dispatcher.execute(command, timeout=EXECUTE_TIMEOUT_S)
    except TimeoutError:
        log.warning("dispatcher did not answer %s at counter %d in time", action, number)
        raise ApiError("hub_timeout") from None
    log.info("panel %s at counter %d by %s: %s%s", action, number, account.username,
             "ok" if result.ok else result.error["code"], " (repeat)" if result.repeated else "")
    if not result.ok:
        return error_response(result.error)
    body = result.reply()
    body["repeated"] = result.repeated
    return jsonify(body)


@clerk_panel.get("/api/v1/ratings/today")
def ratings_today() -> Response:
    """Today's rating distribution per counter, for a manager's session or any device
    token (integrations); 401 otherwise, 403 for a clerk's session."""
    runtime = current_runtime()
    if current_user.is_authenticated:
        if not current_user.account.is_supervisor:
            log.info("%s (clerk) refused today's ratings", current_user.account.username)
            raise ApiError("manager_required")
    else:
        _device_or_unauthorized(runtime)
    try:
        _snapshot, view = runtime.reads.derived(("ratings",), ratings_view)
    except SnapshotUnavailable:
        raise ApiError("not_ready") from None
    return jsonify(view)


# --- helpers ------------------------------------------------------------------------------


def _with_procedure(runtime: HubRuntime, entry: Mapping[str, Any],
                    names: dict[str, str]) -> dict[str, Any]:
    """``entry`` (a return-of-results ticket) with its dossier's procedure name, so the
    clerk knows which result to hand over. Read once per dossier (a procedure never
    changes) on this HTTP thread, never on the writer; a failed read shows the code only.
    The clerk is logged in, but the panel shows only the code and the procedure: the
    applicant's name is on the slip the citizen brings, checked against the file."""
    code = entry["dossier"]["code"]
    name = names.get(code)
    finder = dossier_finder(runtime)
    if name is None and finder is not None:
        try:
            view = finder.read(code, runtime.dispatcher.clock())
        except WireError:
            view = None  # logged by the finder; the code alone still says which dossier
        if view is not None:
            if len(names) >= PROCEDURE_NAMES_KEPT:
                names.clear()
            name = names[code] = view.procedure.name
    return {**entry, "dossier": {"code": code, "procedure": name}}


def _operator(runtime: HubRuntime, number: int):
    """The logged-in account, allowed at counter ``number``; else 401/403/404 ApiError."""
    if not current_user.is_authenticated:
        raise ApiError("login_required")
    if number not in runtime.setup.counters:
        raise ApiError("unknown_counter", counter=number)
    account = current_user.account
    if not account.may_operate(number):
        _log_refusal(number)
        raise ApiError("counter_forbidden", username=account.username, counter=number)
    return account


def _log_refusal(number: int) -> None:
    log.warning("%s may not operate counter %d: refused %s %s from %s",
                current_user.account.username, number, request.method, request.path,
                request.remote_addr)


def _device_or_unauthorized(runtime: HubRuntime) -> str:
    from motcua.devices import verify_token

    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        for kind in contract.DEVICE_KINDS:
            device = verify_token(runtime.store.engine, runtime.store.site_id,
                                  token.strip(), kind)
            if device is not None:
                return f"{kind}/{device}"
    raise ApiError("unauthorized", headers={"WWW-Authenticate": 'Bearer realm="motcua"'})


def _permitted(runtime: HubRuntime, account) -> list[int]:
    return [n for n in sorted(runtime.setup.counters) if account.may_operate(n)]


def _after_login(account, wanted: str) -> str:
    """``wanted`` if it is a panel path of this site, else the account's first counter."""
    parts = urlsplit(wanted)
    if wanted.startswith("/counter/") and not parts.netloc and not parts.scheme \
            and "//" not in wanted and "\\" not in wanted:
        return wanted
    permitted = _permitted(current_runtime(), account)
    return f"/counter/{permitted[0]}" if permitted else url_for(".login_page")


def _language() -> str:
    chosen = request.args.get("lang", LANGUAGES[0])
    return chosen if chosen in LANGUAGES else LANGUAGES[0]


def _login_page(error: str | None = None, status: int = 200,
                headers: dict[str, str] | None = None, username: str = "") -> Response:
    language = _language()
    body = render_template(
        "clerk_login.html", language=language, error=error, username=username,
        next=request.values.get("next", "")[:200], csrf_token=generate_csrf(),
        site_name=current_runtime().setup.name,
        t=lambda key, **params: text(key, language, **params))
    return Response(body, status=status, headers=headers or {})


def _message_page(title_key: str, message: str, status: int,
                  counters: list[int] | None = None) -> Response:
    language = _language()
    body = render_template(
        "clerk_message.html", language=language, title=text(title_key, language),
        message=message, counters=counters or [], csrf_token=generate_csrf(),
        t=lambda key, **params: text(key, language, **params))
    return Response(body, status=status)
