"""``motcua device add/list`` and token checks on a real SQLite file."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from motcua.cli import main
from motcua.devices import add_device, verify_token
from motcua.hub_config import ENVIRONMENT
from motcua.store import create_database_engine, upgrade
from motcua.store.schema import device


@pytest.fixture(autouse=True)
def no_hub_environment(monkeypatch):
    for variable in ENVIRONMENT:
        monkeypatch.delenv(variable, raising=False)


#: The site id written in the packaged example center (motcua/data/example_center.toml);
#: a literal, so the test does not echo what the code under test computes.
EXAMPLE_SITE = "van-lam"


@pytest.fixture
def engine(sqlite_url):
    engine = create_database_engine(sqlite_url)
    upgrade(engine)
    return engine


def test_device_add_prints_a_token_once_and_stores_only_its_hash(sqlite_url, capsys):
    """Given an empty database and the example center's configuration,
    when an installer runs `motcua device add --kind kiosk --id 1`,
    then stdout is the token alone, the table keeps its SHA-256, and the token verifies."""
    assert main(["device", "add", "--kind", "kiosk", "--id", "1", "--name", "Kiosk sảnh",
                 "--db", sqlite_url]) == 0

    token = capsys.readouterr().out.strip()
    engine = create_database_engine(sqlite_url)
    with engine.connect() as conn:
        row = conn.execute(sa.select(device)).one()
    assert (row.site_id, row.kind, row.device_id, row.name) == (EXAMPLE_SITE, "kiosk", "1",
                                                                "Kiosk sảnh")
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert len(token) >= 32
    assert verify_token(engine, EXAMPLE_SITE, token) == "1"


def test_device_list_shows_devices_without_tokens(sqlite_url, capsys):
    """Given a kiosk added from the command line,
    when the installer lists devices,
    then the kiosk is listed with "token" set, and the token itself is not printed."""
    main(["device", "add", "--id", "2", "--db", sqlite_url])
    token = capsys.readouterr().out.strip()

    assert main(["device", "list", "--db", sqlite_url]) == 0

    listing = capsys.readouterr().out
    assert listing.startswith("kiosk\t2\ttoken\t")
    assert token not in listing


def test_adding_again_rotates_the_token(engine):
    """Given kiosk 1 with a token,
    when it is added again,
    then only the new token verifies and its name is kept."""
    old = add_device(engine, "site-a", "kiosk", "1", "Kiosk A")

    new = add_device(engine, "site-a", "kiosk", "1")

    assert verify_token(engine, "site-a", old) is None
    assert verify_token(engine, "site-a", new) == "1"
    with engine.connect() as conn:
        assert conn.execute(sa.select(device.c.name)).scalar_one() == "Kiosk A"


def test_a_token_is_bound_to_its_site_and_kind(engine):
    """Given a kiosk token of site-a,
    when it is checked for another site or another kind,
    then it does not verify."""
    token = add_device(engine, "site-a", "kiosk", "1")

    assert verify_token(engine, "site-b", token) is None
    assert verify_token(engine, "site-a", token, kind="display") is None
    assert verify_token(engine, "site-a", "") is None


def test_a_bad_device_id_is_refused(sqlite_url):
    """Given a device id that is not topic-safe,
    when an installer adds it,
    then the command stops with a message naming the rule."""
    with pytest.raises(SystemExit, match="device id must be a slug"):
        main(["device", "add", "--id", "Kiosk 1", "--db", sqlite_url])
