"""Device tokens: how a kiosk proves itself to the hub's HTTP API.

``motcua device add`` makes a random token, shows it once and keeps only its SHA-256 in
the ``device`` table; a request carries the token as ``Authorization: Bearer <token>``
and :func:`verify_token` finds the device it belongs to. Adding a device that exists
again replaces its token (rotation), so a leaked token is revoked by re-adding.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from motcua.contract import DEVICE_KINDS, is_slug
from motcua.store.database import write_transaction
from motcua.store.schema import device

#: Token holders that are not MQTT devices: systems that push dossiers over HTTP (the
#: provincial one-stop system's connector). They get no broker login (motcua.broker
#: provisions the site's counters, kiosks and displays only).
INTEGRATION_KIND = "integration"
#: Every kind a token may be issued to.
TOKEN_KINDS = (*DEVICE_KINDS, INTEGRATION_KIND)
#: Bytes of randomness in a token (``token_urlsafe`` turns 24 bytes into 32 characters).
TOKEN_BYTES = 24


@dataclass(frozen=True)
class Device:
    """A registered device; the token itself is never stored."""

    kind: str
    device_id: str
    name: str
    has_token: bool
    created_at: dt.datetime


def hash_token(token: str) -> str:
    """The stored form of a token: SHA-256, lowercase hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def check_device(kind: str, device_id: str) -> None:
    """Raise ValueError unless ``kind`` is a token kind and ``device_id`` a topic-safe slug."""
    if kind not in TOKEN_KINDS:
        raise ValueError(f"device kind must be one of {', '.join(TOKEN_KINDS)}, got {kind!r}")
    if not is_slug(device_id):
        raise ValueError(f"device id must be a slug like 1 or sanh-a, got {device_id!r}")


def add_device(engine: Engine, site_id: str, kind: str, device_id: str,
               name: str | None = None, now: dt.datetime | None = None) -> str:
    """Register the device (or give an existing one a new token); return the new token.

    ``name`` None keeps the name an existing device already has.
    """
    check_device(kind, device_id)
    token = new_token()
    key = sa.and_(device.c.site_id == site_id, device.c.kind == kind,
                  device.c.device_id == device_id)
    with write_transaction(engine) as conn:
        exists = conn.execute(sa.select(device.c.device_id).where(key)).first() is not None
        if exists:
            values = {"token_hash": hash_token(token)}
            if name is not None:
                values["name"] = name
            conn.execute(device.update().where(key).values(**values))
        else:
            conn.execute(device.insert().values(
                site_id=site_id, kind=kind, device_id=device_id, name=name or "",
                token_hash=hash_token(token),
                created_at=now or dt.datetime.now(dt.timezone.utc)))
    return token


def list_devices(engine: Engine, site_id: str) -> list[Device]:
    """Every device of the site, by kind then id."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(device).where(device.c.site_id == site_id)
                            .order_by(device.c.kind, device.c.device_id))
        return [Device(r.kind, r.device_id, r.name, r.token_hash is not None, r.created_at)
                for r in rows]


def verify_token(engine: Engine, site_id: str, token: str, kind: str = "kiosk") -> str | None:
    """Return the id of the ``kind`` device of ``site_id`` whose token this is, else None.

    Every stored hash is compared in constant time, so the answer time does not tell an
    attacker how much of a guess was right.
    """
    if not token:
        return None
    presented = hash_token(token).encode()
    with engine.connect() as conn:
        rows = conn.execute(sa.select(device.c.device_id, device.c.token_hash).where(
            device.c.site_id == site_id, device.c.kind == kind,
            device.c.token_hash.is_not(None))).all()
    found = None
    for row in rows:
        if hmac.compare_digest(presented, row.token_hash.encode()) and found is None:
            found = row.device_id
    return found
