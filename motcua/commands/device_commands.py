"""``motcua device add`` / ``motcua device list``: tokens devices use on the HTTP API.

``add`` prints the new token alone on stdout, once (only its hash is kept), so an
installer can capture it: ``TOKEN=$(motcua device add --kind kiosk --id 1)``. The note
for people goes to stderr.
"""

from __future__ import annotations

import argparse
import sys

from motcua.contract import DEVICE_KINDS
from motcua.commands.hub_database import open_site_database

#: Kinds a token may be issued to: the MQTT devices plus ``integration`` (HTTP only, e.g.
#: the provincial system pushing dossiers). Mirrors motcua.devices.TOKEN_KINDS (a test
#: keeps them equal) without importing the database code.
TOKEN_KINDS = (*DEVICE_KINDS, "integration")

# The device registry and the store (SQLAlchemy) are imported by the handlers: every
# process builds this parser, and a kiosk must not carry database code it never uses.

#: What people read on stderr, Vietnamese first.
TOKEN_NOTE = (
    "Mã truy cập của thiết bị {kind}/{device_id} (chỉ hiện một lần, hãy lưu lại ngay) / "
    "Token of device {kind}/{device_id} (shown once only, store it now):"
)
NO_DEVICES = "Chưa có thiết bị nào / No devices registered"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "device", help="thiết bị và mã truy cập (device tokens for the HTTP API)")
    actions = parser.add_subparsers(dest="device_action", metavar="ACTION", required=True)

    add = actions.add_parser(
        "add", help="thêm thiết bị hoặc cấp mã mới (add a device or rotate its token)",
        description="Thêm thiết bị và in mã truy cập một lần. Add a device (or give an "
        "existing one a new token, revoking the old) and print the token once.")
    add.add_argument("--kind", choices=TOKEN_KINDS, default="kiosk", help="device kind")
    add.add_argument("--id", dest="device_id", required=True, help="device id, e.g. 1")
    add.add_argument("--name", help="tên hiển thị (display name, e.g. 'Kiosk sảnh A')")
    _common(add)
    add.set_defaults(handler=_add)

    listing = actions.add_parser("list", help="liệt kê thiết bị (list devices)")
    _common(listing)
    listing.set_defaults(handler=_list)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", help="hub TOML file (default: none, example center)")
    parser.add_argument("--db", help="database URL (default: MOTCUA_DB_URL or the config's)")


def _add(args: argparse.Namespace) -> int:
    from motcua.devices import add_device, check_device

    try:
        check_device(args.kind, args.device_id)
    except ValueError as exc:
        raise SystemExit(f"motcua device: {exc}") from None
    engine, site_id = open_site_database(args, "device")
    token = add_device(engine, site_id, args.kind, args.device_id, args.name)
    print(TOKEN_NOTE.format(kind=args.kind, device_id=args.device_id), file=sys.stderr)
    print(token)
    return 0


def _list(args: argparse.Namespace) -> int:
    from motcua.devices import list_devices

    engine, site_id = open_site_database(args, "device")
    devices = list_devices(engine, site_id)
    if not devices:
        print(NO_DEVICES, file=sys.stderr)
    for found in devices:
        token = "token" if found.has_token else "no-token"
        print(f"{found.kind}\t{found.device_id}\t{token}\t"
              f"{found.created_at.isoformat(timespec='seconds')}\t{found.name}")
    return 0
