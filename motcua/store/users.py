"""User accounts of the clerk panel: who may log in, with which role, at which counters.

Accounts live in the site's database (``user_account``), written by ``motcua user`` from
the command line while the hub may be running and read by the hub's HTTP side at login.
Every write is one short transaction (``BEGIN IMMEDIATE`` on SQLite, so it waits for the
dispatcher's group commit instead of failing half-way); nothing here touches the queue.

Passwords are hashed with argon2id (argon2-cffi's defaults, the RFC 9106 low-memory
profile); only the hash is stored. :func:`authenticate` spends the same hashing time for
an unknown or disabled user as for a wrong password, so the answer time does not tell
which usernames exist.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Iterable

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.engine import Engine

from .database import write_transaction
from .schema import user_account

#: Roles, least to most powerful: a clerk operates their counters, a manager any counter
#: and sees the ratings, an admin is a manager who will also edit the site (later).
ROLES = ("clerk", "manager", "admin")
#: Roles that may operate every counter and read today's ratings.
SUPERVISOR_ROLES = frozenset({"manager", "admin"})
#: ``counters`` value of an account allowed at every counter.
ALL_COUNTERS = "all"
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256
MAX_DISPLAY_NAME = 128

_HASHER = PasswordHasher()
#: Verified against when the user is unknown, so a miss costs as much as a wrong password.
_DUMMY_HASH = _HASHER.hash("motcua-no-such-user")


class AccountError(ValueError):
    """Refused account input; ``code`` is stable, the message Vietnamese first."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Account:
    """A stored account, without its password hash."""

    username: str
    display_name: str
    role: str
    counters: frozenset[int] | None  # None: every counter
    disabled: bool
    created_at: dt.datetime
    updated_at: dt.datetime

    @property
    def is_supervisor(self) -> bool:
        """Managers and admins: any counter, and today's ratings."""
        return self.role in SUPERVISOR_ROLES

    def may_operate(self, counter: int) -> bool:
        """Whether this account may act at ``counter`` (a disabled one never may)."""
        if self.disabled:
            return False
        if self.is_supervisor or self.counters is None:
            return True
        return counter in self.counters

    def counters_text(self) -> str:
        return format_counters(self.counters)


# --- input checks ---------------------------------------------------------------------


def check_username(username: str) -> str:
    """``username`` lowercased, or AccountError: 2-64 of a-z 0-9 . _ -, starting alnum."""
    name = username.strip().lower()
    if not USERNAME.fullmatch(name):
        raise AccountError("invalid_username",
                           "Tên đăng nhập chỉ gồm a-z, 0-9, dấu . _ -, dài 2-64 ký tự / "
                           f"username must be 2-64 of a-z 0-9 . _ - (got {username[:70]!r})")
    return name


def check_password(password: str) -> str:
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise AccountError("weak_password",
                           f"Mật khẩu phải dài {MIN_PASSWORD_LENGTH}-{MAX_PASSWORD_LENGTH} ký tự"
                           f" / password must be {MIN_PASSWORD_LENGTH}-{MAX_PASSWORD_LENGTH}"
                           " characters")
    return password


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError("invalid_role", f"Vai trò phải là một trong {', '.join(ROLES)} / "
                           f"role must be one of {', '.join(ROLES)}")
    return role


def check_display_name(name: str) -> str:
    text = " ".join(name.split())
    if not text or len(text) > MAX_DISPLAY_NAME:
        raise AccountError("invalid_display_name",
                           f"Tên hiển thị phải có 1-{MAX_DISPLAY_NAME} ký tự / display name "
                           f"must be 1-{MAX_DISPLAY_NAME} characters")
    return text


def parse_counters(text: str) -> frozenset[int] | None:
    """``"all"`` → None (every counter); ``"1,2, 5"`` → {1, 2, 5}; else AccountError."""
    value = text.strip().lower()
    if value == ALL_COUNTERS:
        return None
    numbers: set[int] = set()
    for part in value.split(","):
        part = part.strip()
        if not part.isdigit() or not 1 <= int(part) <= 10_000:
            raise AccountError("invalid_counters",
                               "Danh sách quầy phải là 'all' hoặc các số quầy cách nhau bởi "
                               f"dấu phẩy, ví dụ 1,2 / counters must be 'all' or numbers like "
                               f"1,2 (got {text[:40]!r})")
        numbers.add(int(part))
    return frozenset(numbers)


def format_counters(counters: Iterable[int] | None) -> str:
    if counters is None:
        return ALL_COUNTERS
    return ",".join(str(n) for n in sorted(counters))


# --- reads and writes ------------------------------------------------------------------


def _key(site_id: str, username: str):
    return sa.and_(user_account.c.site_id == site_id, user_account.c.username == username)


def _account(row) -> Account:
    counters = None if row.counters == ALL_COUNTERS else frozenset(
        int(n) for n in row.counters.split(",") if n)
    return Account(row.username, row.display_name, row.role, counters, bool(row.disabled),
                   row.created_at, row.updated_at)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.timezone.utc)


def add_user(engine: Engine, site_id: str, username: str, password: str, *,
             display_name: str, role: str = "clerk", counters: str = ALL_COUNTERS,
             now: dt.datetime | None = None) -> Account:
    """Create an account; AccountError ``user_exists`` if the username is taken."""
    name = check_username(username)
    values = {
        "site_id": site_id, "username": name, "display_name": check_display_name(display_name),
        "password_hash": _HASHER.hash(check_password(password)), "role": check_role(role),
        "counters": format_counters(parse_counters(counters)), "disabled": False,
        "created_at": _now(now), "updated_at": _now(now),
    }
    try:
        with write_transaction(engine) as conn:
            conn.execute(user_account.insert().values(**values))
    except sa.exc.IntegrityError:
        raise AccountError("user_exists", f"Tài khoản {name} đã có / user {name} already "
                           "exists") from None
    return _account(_Values(values))


class _Values:
    """Attribute access to a dict of column values (an inserted row, without a re-read)."""

    def __init__(self, values: dict) -> None:
        self.__dict__.update(values)


def get_user(engine: Engine, site_id: str, username: str) -> Account | None:
    try:
        name = check_username(username)
    except AccountError:
        return None
    with engine.connect() as conn:
        row = conn.execute(sa.select(user_account).where(_key(site_id, name))).first()
    return _account(row) if row is not None else None


def list_users(engine: Engine, site_id: str) -> list[Account]:
    """Every account of the site, by username."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(user_account).where(user_account.c.site_id == site_id)
                            .order_by(user_account.c.username)).all()
    return [_account(row) for row in rows]


def _update(engine: Engine, site_id: str, username: str, values: dict,
            now: dt.datetime | None) -> Account:
    name = check_username(username)
    with write_transaction(engine) as conn:
        done = conn.execute(user_account.update().where(_key(site_id, name))
                            .values(**values, updated_at=_now(now))).rowcount
        if not done:
            raise AccountError("unknown_user", f"Không có tài khoản {name} / no user {name}")
        row = conn.execute(sa.select(user_account).where(_key(site_id, name))).one()
    return _account(row)


def set_password(engine: Engine, site_id: str, username: str, password: str,
                 now: dt.datetime | None = None) -> Account:
    """Replace the account's password hash."""
    return _update(engine, site_id, username,
                   {"password_hash": _HASHER.hash(check_password(password))}, now)


def set_disabled(engine: Engine, site_id: str, username: str, disabled: bool = True,
                 now: dt.datetime | None = None) -> Account:
    """Disable (or enable again) an account: a disabled one cannot log in, and a session
    it already has is refused at its next request."""
    return _update(engine, site_id, username, {"disabled": disabled}, now)


def authenticate(engine: Engine, site_id: str, username: str, password: str) -> Account | None:
    """The enabled account whose password this is, else None (same cost either way)."""
    name = username.strip().lower()
    row = None
    if USERNAME.fullmatch(name) and len(password) <= MAX_PASSWORD_LENGTH:
        with engine.connect() as conn:
            row = conn.execute(sa.select(user_account).where(_key(site_id, name))).first()
    stored = row.password_hash if row is not None else _DUMMY_HASH
    try:
        _HASHER.verify(stored, password[:MAX_PASSWORD_LENGTH])
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if row is None or row.disabled:
        return None
    return _account(row)


def verify_hash(password_hash: str, password: str) -> bool:
    """Whether ``password_hash`` (argon2) is the hash of ``password``."""
    try:
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


#: The demo login ``make run`` prints (counters 1 and 2, like the two virtual counters).
DEMO_USERNAME = "canbo1"
DEMO_DISPLAY_NAME = "Nguyễn Thị Lan"
DEMO_COUNTERS = "1,2"


def ensure_demo_user(engine: Engine | str, site_id: str, *, username: str = DEMO_USERNAME,
                     display_name: str = DEMO_DISPLAY_NAME, counters: str = DEMO_COUNTERS,
                     password: str | None = None) -> str:
    """Make sure the demo clerk exists, enabled, with a fresh password; return it.

    ``engine`` may be a database URL: the database is then migrated first and the
    engine disposed of afterwards. A new random password each call (unless ``password``
    is given): the demo prints it, and no fixed password ever ships with the code.
    """
    import secrets

    if isinstance(engine, str):
        from .database import create_database_engine
        from .migrate import upgrade

        owned = create_database_engine(engine)
        try:
            upgrade(owned)
            return ensure_demo_user(owned, site_id, username=username,
                                    display_name=display_name, counters=counters,
                                    password=password)
        finally:
            owned.dispose()
    password = password or secrets.token_urlsafe(9)
    if get_user(engine, site_id, username) is None:
        add_user(engine, site_id, username, password, display_name=display_name,
                 role="clerk", counters=counters)
    else:
        set_password(engine, site_id, username, password)
        set_disabled(engine, site_id, username, False)
    return password
