"""A console counter panel: one key (and Enter) per button, replies printed as they come.

Run ``python -m counter_panel.virtual --counter 1``; it logs in as ``counter1`` with the
password from ``var/broker/credentials.toml`` unless ``--url`` carries one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, urlsplit

from motcua import __version__, contract
from motcua.broker import counter_user, load_credentials
from motcua.bus import BusError, BusMessage, BusSettings, connect_bus

log = logging.getLogger(__name__)

#: key -> counter action (the contract's names).
KEY_ACTIONS = {
    "o": "open",
    "n": "call_next",
    "r": "recall",
    "s": "start",
    "f": "finish",
    "x": "no_show",
    "h": "hold",
    "p": "pause",
    "u": "resume",
    "c": "close",
}
QUIT = "q"
#: How long ``q`` waits for replies still on their way.
REPLY_WAIT_S = 3.0

#: What the panel shows: (Vietnamese, English).
MESSAGES = {
    "help": (
        "Phím: o mở quầy, n gọi số tiếp, r gọi lại, s bắt đầu, f xong, x vắng mặt, h tạm giữ, "
        "p tạm nghỉ, u làm tiếp, c đóng quầy, q thoát",
        "Keys: o open, n call next, r recall, s start, f finish, x no-show, h hold, p pause, "
        "u resume, c close, q quit",
    ),
    "not_issuing": ("Quầy không cấp số: hãy dùng ki-ốt", "Counters do not issue: use the kiosk"),
    "unknown_key": ("Phím không hợp lệ: {key}", "Unknown key: {key}"),
    "clerk": ("Tên cán bộ: ", "Clerk name: "),
    "connected": ("Quầy {counter} đã kết nối {host}:{port}", "Counter {counter} connected"),
    "no_password": ("Không tìm thấy mật khẩu của {user} trong {path}",
                    "No password for {user} in {path}"),
    "broker_failed": ("Không kết nối được broker: {error}", "Cannot reach the broker: {error}"),
}


class PendingReplies:
    """Ids of commands sent and not answered yet."""

    def __init__(self) -> None:
        self._ids: set[str] = set()
        self._changed = threading.Condition()

    def sent(self, request_id: str) -> None:
        with self._changed:
            self._ids.add(request_id)

    def answered(self, payload: bytes) -> None:
        try:
            request_id = json.loads(payload).get("id")
        except (ValueError, AttributeError):
            return
        with self._changed:
            self._ids.discard(request_id)
            self._changed.notify_all()

    def wait(self, timeout_s: float) -> bool:
        """Wait until every command got its reply; False if ``timeout_s`` passed first."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._ids, timeout_s)


class NotACommand(ValueError):
    """The key is not a counter button; ``str()`` says why, for the clerk."""


def say(message: str, **params: object) -> str:
    vietnamese, english = MESSAGES[message]
    return f"{vietnamese.format(**params)} / {english.format(**params)}"


def command_for(line: str, ask_clerk: Callable[[], str]) -> dict | None:
    """Turn one typed line into a command body, or None for quit.

    ``o`` takes the clerk's name after the key (``o Lan``) or from ``ask_clerk()``.

    Raises:
        NotACommand: an unknown key, or ``i`` (issuing is the kiosk's job).
    """
    key, _, rest = line.strip().partition(" ")
    key = key.lower()
    if key == QUIT:
        return None
    if key == "i":
        raise NotACommand(say("not_issuing"))
    if key not in KEY_ACTIONS:
        raise NotACommand(say("unknown_key", key=key or "∅"))
    action = KEY_ACTIONS[key]
    if action == "open":
        return {"action": action, "clerk": rest.strip() or ask_clerk()}
    return {"action": action}


def envelope(body: dict, now: dt.datetime | None = None) -> contract.CommandEnvelope:
    """The command to send: ``body`` with a fresh uuid ``id`` and ``sent_at`` added."""
    body = dict(body)
    action = body.pop("action")
    sent_at = now or dt.datetime.now(dt.timezone.utc).astimezone()
    return contract.CommandEnvelope.new(action, sent_at, **body)


def describe_reply(counter: int, payload: bytes) -> str:
    """One line for the clerk: ``Quầy 1 → A001 (called)`` or the refusal's Vietnamese
    message (the error's ``message``; its code when a hub sends none)."""
    try:
        reply = json.loads(payload)
    except ValueError:
        return f"Quầy {counter} ? {payload[:200]!r}"
    if not reply.get("ok"):
        error = reply.get("error") or {}
        return f"Quầy {counter} ✗ {error.get('message') or error.get('code')}"
    ticket = reply.get("ticket")
    if ticket:
        return f"Quầy {counter} → {ticket['number']} ({ticket['status']})"
    state = reply.get("counter") or {}
    return f"Quầy {counter} ✓ {state.get('status', 'ok')}"


def broker_url(url: str, counter: int, credentials: Path) -> str:
    """``url`` with the counter's login from ``credentials`` when it carries none."""
    parts = urlsplit(url)
    if parts.username:
        return url
    user = counter_user(counter)
    password = load_credentials(credentials).get(user)
    if password is None:
        raise SystemExit(say("no_password", user=user, path=credentials))
    return (f"mqtt://{quote(user, safe='')}:{quote(password, safe='')}@{parts.hostname}:"
            f"{parts.port or 1883}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m counter_panel.virtual",
                                     description="Quầy ảo / virtual counter panel")
    parser.add_argument("--counter", type=int, default=1, help="số quầy (counter number)")
    parser.add_argument("--site", default="van-lam", help="mã đơn vị (site id)")
    parser.add_argument("--url", default="mqtt://127.0.0.1:1883",
                        help="mqtt://[user:pass@]host:port; login from --credentials if absent")
    parser.add_argument("--credentials", type=Path, default=Path("var/broker/credentials.toml"))
    parser.add_argument("--clerk", help="tên cán bộ cho phím o (clerk name)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    topics = contract.Topics(args.site)
    counter = args.counter

    pending = PendingReplies()

    def on_reply(message: BusMessage) -> None:
        print(describe_reply(counter, message.payload), flush=True)
        pending.answered(message.payload)

    try:
        bus = connect_bus(
            BusSettings(url=broker_url(args.url, counter, args.credentials),
                        client_id=f"virtual-counter-{args.site}-{counter}",
                        will_topic=topics.device_status("counter", counter)),
            subscriptions={topics.counter_reply(counter): on_reply})
    except (BusError, ValueError) as error:
        print(say("broker_failed", error=error), file=sys.stderr)
        return 2
    bus.publish_contract(topics.device_status("counter", counter),
                         contract.Presence(online=True, version=__version__))
    print(say("help"), flush=True)

    def ask_clerk() -> str:
        if args.clerk:
            return args.clerk
        print(say("clerk"), end="", flush=True)
        return sys.stdin.readline().strip() or "Cán bộ"

    try:
        while line := sys.stdin.readline():
            if not line.strip():
                continue
            try:
                body = command_for(line, ask_clerk)
            except NotACommand as refusal:
                print(refusal, flush=True)
                continue
            if body is None:
                break
            command = envelope(body)
            pending.sent(command.id)
            bus.publish_contract(topics.counter_cmd(counter), command)
        pending.wait(REPLY_WAIT_S)  # piped input ends at once: still show the replies
    except KeyboardInterrupt:
        pass
    finally:
        bus.close(announce_offline=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
