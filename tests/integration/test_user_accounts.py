"""Clerk panel accounts: ``motcua user add|list|passwd|disable`` and the store behind it,
on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from motcua.cli import main
from motcua.store import create_database_engine, upgrade
from motcua.store.schema import ticket_event, user_account
from motcua.store.users import (
    AccountError, add_user, authenticate, ensure_demo_user, get_user, list_users,
    set_disabled, set_password, verify_hash,
)

SITE = "van-lam"  # the site of the example center the CLI uses without --config
PASSWORD = "mat-khau-rat-dai"


@pytest.fixture
def engine(db_url):
    engine = create_database_engine(db_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def stored_hash(engine, username: str) -> str:
    with engine.connect() as conn:
        return conn.execute(sa.select(user_account.c.password_hash).where(
            user_account.c.username == username)).scalar_one()


def cli(monkeypatch, db_url: str, *args: str, stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    try:
        return main(["user", *args, "--db", db_url])
    except SystemExit as exc:  # refusals exit with their message
        return exc.code if isinstance(exc.code, int) else exc.code


# --- the store ------------------------------------------------------------------------------


def test_an_added_clerk_has_an_argon2id_hash_and_logs_in(engine):
    """Given canbo1 added for counters 2,1 with a password,
    when stored and then authenticated,
    then the hash is argon2id of that password (the password is nowhere in the row),
    the account lists counters 1,2, operates 1 and 2 only, and logs in with it."""
    add_user(engine, SITE, "CanBo1", PASSWORD, display_name="Nguyễn  Thị Lan",
             counters="2,1")

    digest = stored_hash(engine, "canbo1")
    assert digest.startswith("$argon2id$")
    assert PASSWORD not in digest
    assert PasswordHasher().verify(digest, PASSWORD) is True
    account = authenticate(engine, SITE, "canbo1", PASSWORD)
    assert account is not None
    assert (account.username, account.display_name, account.role, account.counters_text()) == (
        "canbo1", "Nguyễn Thị Lan", "clerk", "1,2")
    assert [account.may_operate(n) for n in (1, 2, 3)] == [True, True, False]


def test_a_wrong_password_an_unknown_user_and_a_disabled_user_do_not_log_in(engine):
    """Given canbo1 and canbo2 (disabled), when each tries a login,
    then a wrong password, an unknown name and the disabled account all get None."""
    add_user(engine, SITE, "canbo1", PASSWORD, display_name="Lan")
    add_user(engine, SITE, "canbo2", PASSWORD, display_name="Hùng")
    set_disabled(engine, SITE, "canbo2")

    assert authenticate(engine, SITE, "canbo1", "sai-mat-khau") is None
    assert authenticate(engine, SITE, "khong-co", PASSWORD) is None
    assert authenticate(engine, SITE, "canbo2", PASSWORD) is None
    assert authenticate(engine, SITE, "canbo1", PASSWORD).username == "canbo1"


def test_a_manager_operates_every_counter(engine):
    """Given a manager added with counters 1, then it may operate counter 7 too."""
    manager = add_user(engine, SITE, "truongphong", PASSWORD, display_name="Trưởng phòng",
                       role="manager", counters="1")

    assert manager.is_supervisor and manager.may_operate(7)


def test_passwd_replaces_the_hash_and_the_old_password_stops_working(engine):
    """Given canbo1, when its password is changed, then only the new one logs in and
    updated_at moves forward."""
    before = add_user(engine, SITE, "canbo1", PASSWORD, display_name="Lan")

    after = set_password(engine, SITE, "canbo1", "mat-khau-moi-123")

    assert authenticate(engine, SITE, "canbo1", PASSWORD) is None
    assert authenticate(engine, SITE, "canbo1", "mat-khau-moi-123") is not None
    assert after.updated_at >= before.updated_at
    assert verify_hash(stored_hash(engine, "canbo1"), "mat-khau-moi-123")


@pytest.mark.parametrize("username, password, role, counters, code", [
    ("a", PASSWORD, "clerk", "all", "invalid_username"),
    ("can bo", PASSWORD, "clerk", "all", "invalid_username"),
    ("canbo1", "ngan", "clerk", "all", "weak_password"),
    ("canbo1", PASSWORD, "boss", "all", "invalid_role"),
    ("canbo1", PASSWORD, "clerk", "1,x", "invalid_counters"),
    ("canbo1", PASSWORD, "clerk", "0", "invalid_counters"),
])
def test_bad_input_is_refused_and_nothing_is_stored(engine, username, password, role,
                                                    counters, code):
    """Given bad input (name, short password, role, counters), when added,
    then AccountError with its code, and no account exists."""
    with pytest.raises(AccountError) as refused:
        add_user(engine, SITE, username, password, display_name="Lan", role=role,
                 counters=counters)

    assert refused.value.code == code
    assert list_users(engine, SITE) == []


def test_a_taken_username_and_an_unknown_one_are_refused(engine):
    """Given canbo1, when added again or another name is changed,
    then user_exists and unknown_user."""
    add_user(engine, SITE, "canbo1", PASSWORD, display_name="Lan")

    with pytest.raises(AccountError) as taken:
        add_user(engine, SITE, "canbo1", PASSWORD, display_name="Lan")
    with pytest.raises(AccountError) as unknown:
        set_password(engine, SITE, "canbo9", PASSWORD)

    assert (taken.value.code, unknown.value.code) == ("user_exists", "unknown_user")


def test_the_demo_user_gets_a_fresh_password_every_time(engine):
    """Given no account, when ensure_demo_user runs twice,
    then canbo1 (counters 1,2) exists once and only the second password logs in."""
    first = ensure_demo_user(engine, SITE)
    second = ensure_demo_user(engine, SITE)

    assert first != second and len(second) >= 12
    assert authenticate(engine, SITE, "canbo1", first) is None
    account = authenticate(engine, SITE, "canbo1", second)
    assert (account.counters_text(), account.role) == ("1,2", "clerk")
    assert [a.username for a in list_users(engine, SITE)] == ["canbo1"]


def test_the_demo_user_can_be_made_from_a_database_url(sqlite_url):
    """Given a fresh SQLite URL (not migrated), when ensure_demo_user gets the URL,
    then the database is migrated and canbo1 logs in with the returned password."""
    password = ensure_demo_user(sqlite_url, SITE)

    engine = create_database_engine(sqlite_url)
    try:
        assert authenticate(engine, SITE, "canbo1", password).display_name == "Nguyễn Thị Lan"
    finally:
        engine.dispose()


# --- the command line -----------------------------------------------------------------------


def test_cli_add_list_passwd_disable(db_url, monkeypatch, capsys):
    """Given an empty database, when `motcua user add` (password on stdin), `list`,
    `passwd` and `disable` run, then each says so in Vietnamese first, list prints the
    account, and the stored hash follows the passwords."""
    assert cli(monkeypatch, db_url, "add", "canbo1", "--name", "Nguyễn Thị Lan",
               "--counters", "1,2", "--password-stdin", stdin=PASSWORD + "\n") == 0
    assert "Đã tạo tài khoản canbo1 (clerk, quầy 1,2)" in capsys.readouterr().err

    assert cli(monkeypatch, db_url, "list") == 0
    line = capsys.readouterr().out.strip()
    assert line.split("\t")[:4] == ["canbo1", "clerk", "1,2", "active"]
    assert line.endswith("\tNguyễn Thị Lan")

    assert cli(monkeypatch, db_url, "passwd", "canbo1", "--password-stdin",
               stdin="mat-khau-moi-123\n") == 0
    assert "Đã đổi mật khẩu của canbo1" in capsys.readouterr().err
    assert cli(monkeypatch, db_url, "disable", "canbo1") == 0
    assert "Đã khóa tài khoản canbo1" in capsys.readouterr().err

    engine = create_database_engine(db_url)
    try:
        assert verify_hash(stored_hash(engine, "canbo1"), "mat-khau-moi-123")
        assert get_user(engine, SITE, "canbo1").disabled is True
    finally:
        engine.dispose()


def test_cli_prompts_twice_and_refuses_a_mismatch(sqlite_url, monkeypatch, capsys):
    """Given the prompt answers two different passwords, when `user add` runs,
    then it exits with the Vietnamese mismatch message and stores nothing."""
    answers = iter([PASSWORD, "khac-han-mat-khau"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))

    code = cli(monkeypatch, sqlite_url, "add", "canbo1", "--name", "Lan")

    assert code == "motcua user: Hai lần nhập mật khẩu không khớp / The passwords do not match"
    engine = create_database_engine(sqlite_url)
    upgrade(engine)
    assert list_users(engine, SITE) == []


def test_cli_refuses_bad_input_with_a_vietnamese_message(sqlite_url, monkeypatch):
    """Given a short password on stdin, when `user add` runs, then it exits with the
    Vietnamese length message; an unknown user for passwd says Không có tài khoản."""
    short = cli(monkeypatch, sqlite_url, "add", "canbo1", "--name", "Lan",
                "--password-stdin", stdin="ngan\n")
    unknown = cli(monkeypatch, sqlite_url, "passwd", "canbo9", "--password-stdin",
                  stdin=PASSWORD + "\n")

    assert short.startswith("motcua user: Mật khẩu phải dài 8-256 ký tự")
    assert unknown.startswith("motcua user: Không có tài khoản canbo9")


def test_the_password_is_not_an_argument(sqlite_url, monkeypatch, capsys):
    """Given `user add --password x`, then argparse refuses it (exit 2): a password on the
    command line would be readable in the process list."""
    with pytest.raises(SystemExit) as refused:
        main(["user", "add", "canbo1", "--name", "Lan", "--password", "x", "--db", sqlite_url])

    assert refused.value.code == 2


def test_migration_0003_refuses_a_second_rating_of_a_ticket(engine):
    """Given one ticket_rated event for ticket T and one ticket_called, when a second
    ticket_rated for T is inserted, then the partial unique index refuses it, while
    other kinds of events for T stay allowed."""
    at = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.timezone.utc)
    row = {"site_id": SITE, "seq": 1, "kind": "ticket_rated", "ticket_id": "T",
           "counter": 1, "clerk": "Lan", "at": at, "data": '{"score": 3}'}
    with engine.begin() as conn:
        conn.execute(ticket_event.insert().values(**row))
        conn.execute(ticket_event.insert().values(**{**row, "seq": 2, "kind": "ticket_called"}))
        conn.execute(ticket_event.insert().values(**{**row, "seq": 3, "kind": "ticket_called"}))

    with pytest.raises(sa.exc.IntegrityError):
        with engine.begin() as conn:
            conn.execute(ticket_event.insert().values(**{**row, "seq": 4}))
