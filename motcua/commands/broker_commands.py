"""``motcua broker init``: provision the site's Mosquitto configuration and logins."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from motcua.broker import BrokerProvisioningError, Devices, init_broker

log = logging.getLogger(__name__)

#: What the command tells its user: (Vietnamese, English).
MESSAGES = {
    "done": (
        "Đã tạo cấu hình broker. Chạy: mosquitto -c {config}",
        "Broker files written. Start it with: mosquitto -c {config}",
    ),
    "credentials": (
        "Mật khẩu thiết bị (giữ bí mật): {path}",
        "Device passwords (keep secret): {path}",
    ),
    "failed": ("Không tạo được cấu hình broker: {error}", "Broker set-up failed: {error}"),
}


def _say(key: str, **params: object) -> str:
    vietnamese, english = MESSAGES[key]
    return f"{vietnamese.format(**params)} / {english.format(**params)}"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``broker init``."""
    broker = subparsers.add_parser("broker", help="cấu hình Mosquitto (broker set-up)")
    actions = broker.add_subparsers(dest="broker_command", metavar="ACTION", required=True)
    init = actions.add_parser(
        "init", help="tạo mosquitto.conf, mật khẩu và ACL (write config, passwords and ACL)"
    )
    init.add_argument("--site", required=True, help="mã đơn vị, e.g. hcm-q1 (site id)")
    init.add_argument("--dir", required=True, type=Path, help="thư mục đích (output directory)")
    init.add_argument("--host", default="127.0.0.1", help="địa chỉ lắng nghe (listen address)")
    init.add_argument("--port", type=int, default=1883, help="cổng (port), default 1883")
    init.add_argument("--counters", type=_counter_list, default=(1, 2),
                      help="số quầy, e.g. 1,2,3 (counter numbers)")
    init.add_argument("--kiosks", type=_id_list, default=("1",),
                      help="mã ki-ốt, e.g. 1 or 1,2 (kiosk ids)")
    init.add_argument("--displays", type=_id_list, default=("1",),
                      help="mã màn hình, e.g. 1 (display ids)")
    init.set_defaults(handler=run_broker_init)


def _id_list(text: str) -> tuple[str, ...]:
    ids = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    return ids


def _counter_list(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in _id_list(text))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"số quầy phải là số nguyên / counter numbers must be integers: {text!r}"
        ) from None


def run_broker_init(args: argparse.Namespace) -> int:
    """Write the broker files; return 1 (with a message) if that is impossible."""
    try:
        devices = Devices(counters=args.counters, kiosks=args.kiosks, displays=args.displays)
        files = init_broker(args.site, devices, args.dir, args.host, args.port)
    except BrokerProvisioningError as error:
        log.error("%s", _say("failed", error=error))
        return 1
    print(_say("done", config=files.config))
    print(_say("credentials", path=files.credentials))
    return 0
