"""``motcua user add|list|passwd|disable``: accounts of the clerk panel.

Passwords are read from a prompt (typed twice, not echoed) or, for scripts, from the first
line of stdin with ``--password-stdin``; never from the command line, where every user of
the machine could read them in the process list. Messages are Vietnamese first.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from motcua.commands.hub_database import open_site_database

# The store (SQLAlchemy, argon2) is imported by the handlers: every process builds this
# parser, and a kiosk must not carry the accounts code it never uses. These two mirror
# motcua.store.users (a test keeps them equal).
ROLES = ("clerk", "manager", "admin")
ALL_COUNTERS = "all"

PROMPT = "Mật khẩu / Password: "
PROMPT_AGAIN = "Nhập lại mật khẩu / Password again: "
MISMATCH = "Hai lần nhập mật khẩu không khớp / The passwords do not match"
NO_PASSWORD = "Không đọc được mật khẩu từ stdin / No password on stdin"
ADDED = "Đã tạo tài khoản {username} ({role}, quầy {counters}) / Added {username}"
CHANGED = "Đã đổi mật khẩu của {username} / Password of {username} changed"
DISABLED = "Đã khóa tài khoản {username} / {username} disabled"
ENABLED = "Đã mở khóa tài khoản {username} / {username} enabled"
NO_USERS = "Chưa có tài khoản nào / No users"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "user", help="tài khoản cán bộ cho bảng điều khiển quầy (clerk panel accounts)")
    actions = parser.add_subparsers(dest="user_action", metavar="ACTION", required=True)

    add = actions.add_parser("add", help="thêm tài khoản (add an account)")
    add.add_argument("username", help="tên đăng nhập, ví dụ canbo1 (login name)")
    add.add_argument("--name", dest="display_name", required=True,
                     help="họ tên hiển thị, gửi kèm lệnh mở quầy (display name)")
    add.add_argument("--role", choices=ROLES, default="clerk", help="vai trò (role)")
    add.add_argument("--counters", default=ALL_COUNTERS,
                     help="quầy được phép: 'all' hoặc 1,2 (counters allowed)")
    _password_source(add)
    _common(add)
    add.set_defaults(handler=_add)

    listing = actions.add_parser("list", help="liệt kê tài khoản (list accounts)")
    _common(listing)
    listing.set_defaults(handler=_list)

    passwd = actions.add_parser("passwd", help="đổi mật khẩu (change a password)")
    passwd.add_argument("username")
    _password_source(passwd)
    _common(passwd)
    passwd.set_defaults(handler=_passwd)

    disable = actions.add_parser("disable", help="khóa tài khoản (disable an account)")
    disable.add_argument("username")
    disable.add_argument("--enable", action="store_true",
                         help="mở khóa lại (enable it again)")
    _common(disable)
    disable.set_defaults(handler=_disable)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", help="hub TOML file (default: none, example center)")
    parser.add_argument("--db", help="database URL (default: MOTCUA_DB_URL or the config's)")


def _password_source(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--password-stdin", action="store_true",
                        help="đọc mật khẩu từ dòng đầu của stdin (read it from stdin)")


def _change(args: argparse.Namespace, change):
    """Run ``change(engine, site_id)`` on the hub's database; its refusal ends the command
    with the store's message."""
    from motcua.store.users import AccountError

    engine, site_id = open_site_database(args, "user")
    try:
        return change(engine, site_id)
    except AccountError as exc:
        raise SystemExit(f"motcua user: {exc}") from None


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise SystemExit(f"motcua user: {NO_PASSWORD}")
        return line
    first = getpass.getpass(PROMPT)
    if getpass.getpass(PROMPT_AGAIN) != first:
        raise SystemExit(f"motcua user: {MISMATCH}")
    return first


def _add(args: argparse.Namespace) -> int:
    from motcua.store.users import add_user

    password = _read_password(args)
    account = _change(args, lambda engine, site_id: add_user(
        engine, site_id, args.username, password, display_name=args.display_name,
        role=args.role, counters=args.counters))
    print(ADDED.format(username=account.username, role=account.role,
                       counters=account.counters_text()), file=sys.stderr)
    return 0


def _list(args: argparse.Namespace) -> int:
    from motcua.store.users import list_users

    accounts = _change(args, list_users)
    if not accounts:
        print(NO_USERS, file=sys.stderr)
    for account in accounts:
        state = "disabled" if account.disabled else "active"
        print(f"{account.username}\t{account.role}\t{account.counters_text()}\t{state}\t"
              f"{account.updated_at.isoformat(timespec='seconds')}\t{account.display_name}")
    return 0


def _passwd(args: argparse.Namespace) -> int:
    from motcua.store.users import set_password

    password = _read_password(args)
    account = _change(args, lambda engine, site_id: set_password(
        engine, site_id, args.username, password))
    print(CHANGED.format(username=account.username), file=sys.stderr)
    return 0


def _disable(args: argparse.Namespace) -> int:
    from motcua.store.users import set_disabled

    account = _change(args, lambda engine, site_id: set_disabled(
        engine, site_id, args.username, not args.enable))
    message = ENABLED if args.enable else DISABLED
    print(message.format(username=account.username), file=sys.stderr)
    return 0
