"""Login, sessions and CSRF for the clerk panel (Flask-Login, Flask-WTF).

- **Sessions**: Flask's signed session cookie ``motcua_session`` (HttpOnly, SameSite=Lax,
  ``Secure`` when ``MOTCUA_COOKIE_SECURE=1``, which a hub served over TLS must set; the
  demo runs on plain HTTP on the centre's LAN), valid for a working day
  (:data:`SESSION_HOURS`). Flask-Login's ``strong`` session protection drops a session
  whose browser or address changes. The session names the account *and* the time it was
  last changed, so ``motcua user passwd`` or ``disable`` ends every open session of it.
- **Secret key** (signs the cookie and the CSRF tokens), first found of: Flask config
  ``SECRET_KEY``; environment ``MOTCUA_SECRET_KEY``; the file named by
  ``MOTCUA_SECRET_KEY_FILE`` (default ``secret_key`` beside the SQLite database, so
  ``var/secret_key`` for the default one), created with 32 random bytes
  and mode 0600 on first start, so sessions survive hub restarts without anyone having
  to invent a key for the demo. A production install sets ``MOTCUA_SECRET_KEY`` (or keeps
  the file on the hub's disk, outside backups shared with others).
- **CSRF**: Flask-WTF's token, bound to the session, required on every state-changing
  request of the panel (form field ``csrf_token`` or header ``X-CSRFToken``). Only the
  panel's blueprint checks it (``WTF_CSRF_CHECK_DEFAULT = False``): kiosks calling
  ``/api/v1`` with a device token have no session to forge. A refusal is a JSON 400
  ``csrf_failed`` and a log line.
- **Wrong passwords** are limited by :class:`LoginLimiter`, per username and per client
  address.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import threading
import time
from collections import deque
from pathlib import Path
from typing import Callable, Mapping

from flask import Flask, Response, request
from flask_login import LoginManager, UserMixin
from flask_wtf.csrf import CSRFError, CSRFProtect

from motcua.store.users import Account, get_user

from .errors import ApiError, error_object, error_response
from .runtime import EXTENSION_KEY

log = logging.getLogger(__name__)

SECRET_ENV = "MOTCUA_SECRET_KEY"
SECRET_FILE_ENV = "MOTCUA_SECRET_KEY_FILE"
DEFAULT_SECRET_FILE = Path("var") / "secret_key"
COOKIE_SECURE_ENV = "MOTCUA_COOKIE_SECURE"
SESSION_HOURS = 12
#: Key of the :class:`LoginLimiter` in ``app.extensions``.
LIMITER_KEY = "motcua.login_limiter"


# --- the secret key ------------------------------------------------------------------------


def default_secret_file(engine) -> Path:
    """Where the generated key lives: beside a SQLite database file (``var/`` for the
    default ``sqlite:///var/motcua.db``), else ``var/secret_key``."""
    url = getattr(engine, "url", None)
    if url is not None and url.get_backend_name() == "sqlite" and url.database \
            and url.database != ":memory:":
        return Path(url.database).parent / "secret_key"
    return DEFAULT_SECRET_FILE


def resolve_secret_key(config: Mapping, environ: Mapping[str, str] = os.environ,
                       default_file: Path = DEFAULT_SECRET_FILE) -> str:
    """The secret key: config, environment, else a generated file (see the module)."""
    if config.get("SECRET_KEY"):
        return config["SECRET_KEY"]
    if environ.get(SECRET_ENV):
        return environ[SECRET_ENV]
    path = Path(environ.get(SECRET_FILE_ENV) or default_file)
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    try:
        # O_EXCL: two processes starting at once must not overwrite each other's key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    log.info("generated the session secret key in %s (set %s to choose one)", path, SECRET_ENV)
    return key


# --- wrong-password limits ------------------------------------------------------------------


class LoginLimiter:
    """Failed logins in a sliding window, per username and per client address.

    Past ``per_user`` failures for a username, or ``per_address`` from one address,
    within ``window_s`` seconds, :meth:`retry_after` says how long to wait; the password
    is then not even checked. A success clears the username's failures (not the
    address's: one good account must not unlock guessing at the others). Memory is
    bounded: at most ``max_keys`` keys are remembered, the oldest dropped first.
    """

    def __init__(self, per_user: int = 5, per_address: int = 20, window_s: float = 300.0,
                 clock: Callable[[], float] = time.monotonic, max_keys: int = 10_000) -> None:
        self.per_user = per_user
        self.per_address = per_address
        self.window_s = window_s
        self.clock = clock
        self.max_keys = max_keys
        self._failures: dict[tuple[str, str], deque] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque:
        stamps = self._failures.get(key)
        if stamps is None:
            return deque()
        while stamps and now - stamps[0] >= self.window_s:
            stamps.popleft()
        return stamps

    def retry_after(self, username: str, address: str) -> int | None:
        """Seconds to wait before trying again, or None when a try is allowed."""
        now = self.clock()
        waits = []
        with self._lock:
            for key, limit in ((("user", username), self.per_user),
                               (("address", address), self.per_address)):
                stamps = self._recent(key, now)
                if len(stamps) >= limit:
                    waits.append(stamps[-limit] + self.window_s - now)
        return max(1, int(max(waits) + 0.999)) if waits else None

    def failed(self, username: str, address: str) -> None:
        now = self.clock()
        with self._lock:
            for key in (("user", username), ("address", address)):
                stamps = self._recent(key, now)
                stamps.append(now)
                self._failures.pop(key, None)
                self._failures[key] = stamps  # newest last: the oldest key goes first
            while len(self._failures) > self.max_keys:
                self._failures.pop(next(iter(self._failures)))

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop(("user", username), None)


def login_limiter(app: Flask) -> LoginLimiter:
    return app.extensions[LIMITER_KEY]


# --- the logged-in user ---------------------------------------------------------------------


class PanelUser(UserMixin):
    """The account behind a panel session."""

    def __init__(self, account: Account) -> None:
        self.account = account

    def get_id(self) -> str:
        # The change stamp makes a password change or a disable end old sessions.
        return f"{self.account.username}|{self.account.updated_at.timestamp():.6f}"

    @property
    def is_active(self) -> bool:
        return not self.account.disabled


def _load_user(app: Flask, session_id: str) -> PanelUser | None:
    username, _, stamp = session_id.partition("|")
    runtime = app.extensions[EXTENSION_KEY]
    account = get_user(runtime.store.engine, runtime.store.site_id, username)
    if account is None or account.disabled:
        return None
    user = PanelUser(account)
    return user if user.get_id() == session_id else None


# --- installing -----------------------------------------------------------------------------


def install_clerk_auth(app: Flask, overrides: Mapping | None = None,
                       environ: Mapping[str, str] = os.environ) -> None:
    """Secret key, cookie settings, CSRF, Flask-Login and the login limiter for ``app``;
    keys given in ``overrides`` (the app factory's config) keep their given values."""
    runtime = app.extensions.get(EXTENSION_KEY)
    store = getattr(runtime, "store", None)
    app.config["SECRET_KEY"] = resolve_secret_key(
        app.config, environ, default_secret_file(getattr(store, "engine", None)))
    defaults = {
        "SESSION_COOKIE_NAME": "motcua_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": environ.get(COOKIE_SECURE_ENV, "").lower()
        in ("1", "true", "yes"),
        "PERMANENT_SESSION_LIFETIME": dt.timedelta(hours=SESSION_HOURS),
        # Checked by the panel's blueprint only; a token lives as long as its session (a
        # panel stays open all day, and the default one-hour limit would refuse clicks).
        "WTF_CSRF_CHECK_DEFAULT": False,
        "WTF_CSRF_TIME_LIMIT": None,
        # The token is the check; behind a TLS proxy the Referer may not match the host.
        "WTF_CSRF_SSL_STRICT": False,
    }
    for key, value in defaults.items():
        if key not in (overrides or {}):
            app.config[key] = value
    CSRFProtect(app)

    manager = LoginManager(app)
    manager.session_protection = "strong"
    manager.user_loader(lambda session_id: _load_user(app, session_id))
    app.extensions[LIMITER_KEY] = LoginLimiter(
        per_user=int(app.config.get("LOGIN_MAX_FAILURES_PER_USER", 5)),
        per_address=int(app.config.get("LOGIN_MAX_FAILURES_PER_ADDRESS", 20)),
        window_s=float(app.config.get("LOGIN_FAILURE_WINDOW_S", 300)))

    @app.errorhandler(CSRFError)
    def _csrf_refused(error: CSRFError) -> Response:
        log.warning("CSRF check failed on %s %s from %s: %s", request.method, request.path,
                    request.remote_addr, error.description)
        return error_response(error_object("csrf_failed"))

    @manager.unauthorized_handler
    def _unauthorized():
        raise ApiError("login_required")
