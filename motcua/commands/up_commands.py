"""``motcua up``: the whole demo center on this machine: broker, hub, kiosk (dummy printer),
lobby board with its voice, a simulated counter box, and the console counter."""

from __future__ import annotations

import argparse
import logging
import shlex
import signal
import sys
import threading
from pathlib import Path

from display.sdl import has_screen
from motcua.broker import (
    MONITOR_USER,
    BrokerProvisioningError,
    counter_user,
)
from motcua.contract import Topics
from motcua.site_config import SiteConfigError
from motcua.up import broker_runtime
from motcua.up.children import ChildDied, Interrupted, Supervisor, SupervisorError
from motcua.up.demo import HOST, DemoLayout, Provisioned, load_demo_data, provision
from motcua.up.launch import (
    start_broker,
    start_counter_box,
    start_display,
    start_hub,
    start_kiosk,
    virtual_counter_argv,
)
from motcua.up.leftovers import PortBusy, clear_leftovers, require_free_ports

log = logging.getLogger(__name__)

DEMO_COUNTER = 1

#: What the command tells its user: (Vietnamese, English).
MESSAGES = {
    "around_the_clock": (
        "Bản demo cấp số suốt ngày đêm, mọi ngày trong tuần ({path})",
        "The demo issues numbers around the clock, every day ({path})",
    ),
    "ready": ("motcua đã sẵn sàng", "motcua is ready"),
    "http": ("API HTTP: {url}", "HTTP API: {url}"),
    "procedures": ("Tra cứu thủ tục hành chính: {url}", "Procedure search: {url}"),
    "dossiers": (
        "Hồ sơ demo: gõ mã trên ki-ốt (Tra cứu hồ sơ) hoặc tại {url}",
        "Demo dossiers: type a code on the kiosk (Tra cứu hồ sơ) or at {url}",
    ),
    "dossier_ready": ("đã xử lý xong, lấy số trả kết quả", "ready: take a return number"),
    "dossier_late": ("trễ hạn, có thư xin lỗi", "late, with an apology"),
    "dossier_supplement": ("cần bổ sung giấy tờ", "needs documents"),
    "dossier_in_progress": ("đang xử lý", "in progress"),
    "watch": ("Xem mọi tin MQTT:", "Watch every MQTT message:"),
    "counter": ("Quầy ảo (bàn phím):", "Virtual counter (keyboard):"),
    "kiosk": ("Ki-ốt lấy số (mở trong trình duyệt): {url}", "Kiosk (open in a browser): {url}"),
    "tickets": ("Phiếu đã in (máy in giả lập): {path}", "Printed tickets (dummy printer): {path}"),
    "board": ("Màn hình gọi số (ảnh chụp mới nhất): {path}", "Lobby board (latest frame): {path}"),
    "web_board": ("Màn hình gọi số trên trình duyệt: {url}", "Web lobby board: {url}"),
    "panel": (
        "Bảng điều khiển của cán bộ: {url} (đăng nhập {user} / {password})",
        "Clerk panel: {url} (log in as {user} / {password})",
    ),
    "box": (
        "Hộp phím quầy 2 (mô phỏng, cán bộ Nguyễn Thị Lan đã đăng nhập): echo NEXT > {keys}",
        "Counter 2 button box (simulated, clerk logged in): echo NEXT > {keys}",
    ),
    "voice": ("Lời gọi số (tệp WAV): {path}", "Call-outs (WAV files): {path}"),
    "stop": ("Ctrl-C để dừng tất cả", "Ctrl-C stops everything"),
    "port_busy": (
        "Cổng {port} đang bị chương trình khác dùng; chọn cổng khác (--mqtt-port/--http-port) "
        "hoặc dừng chương trình đó",
        "Port {port} is used by another program; pick another (--mqtt-port/--http-port) or "
        "stop that program",
    ),
    "child_died": (
        "{name} đã dừng bất ngờ (mã {code}); cuối nhật ký {log}:",
        "{name} stopped unexpectedly (status {code}); end of {log}:",
    ),
    "failed": ("Không khởi động được: {error}", "Could not start: {error}"),
    "stopping": ("Đang dừng…", "Stopping…"),
    "stopped": ("Đã dừng tất cả", "Everything stopped"),
}


def _say(key: str, **params: object) -> str:
    vietnamese, english = MESSAGES[key]
    return f"{vietnamese.format(**params)} / {english.format(**params)}"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``up``."""
    parser = subparsers.add_parser(
        "up", help="chạy thử cả trung tâm (broker, hub, ki-ốt, màn hình, quầy) / run the demo center",
        description="Start mosquitto, the hub, kiosk 1 (dummy printer), display 1 (window or "
        "headless PNG, calls spoken to WAV files) and a simulated button box for counter 2, for "
        "the example center under VAR; print what to try; stop everything on Ctrl-C.")
    parser.add_argument("--var", type=Path, default=Path("var"),
                        help="thư mục dữ liệu (state directory), default var")
    parser.add_argument("--mqtt-port", type=int, default=1883, help="cổng MQTT, default 1883")
    parser.add_argument("--http-port", type=int, default=8080, help="cổng HTTP, default 8080")
    parser.add_argument("--kiosk-port", type=int, default=8090,
                        help="cổng trang ki-ốt (kiosk pages port), default 8090")
    parser.add_argument("--no-counter", action="store_true",
                        help="không mở quầy ảo trong terminal (no virtual counter)")
    parser.set_defaults(handler=run_up)


def _dossier_lines(codes: tuple[str, ...], http_port: int) -> list[str]:
    """The demo dossiers' codes to type on the kiosk (Tra cứu hồ sơ) or the web page."""
    if not codes:
        return []
    lines = ["  " + _say("dossiers", url=f"http://{HOST}:{http_port}/tra-cuu")]
    for key, code in zip(("dossier_ready", "dossier_late", "dossier_supplement",
                          "dossier_in_progress"), codes):
        lines.append(f"    {code}  " + _say(key))
    return lines


def instructions(provisioned: Provisioned, mqtt_port: int, http_port: int,
                 kiosk_port: int, var: Path, clerk_login: tuple[str, str],
                 dossier_codes: tuple[str, ...] = ()) -> list[str]:
    """The lines printed once ready: URLs, topics and ready-to-paste commands."""
    topics = Topics(provisioned.site_id)
    passwords = provisioned.passwords
    monitor = MONITOR_USER
    common = f"-h {HOST} -p {mqtt_port}"
    # The read-only monitor login: a device's login would disconnect that device.
    watch = (f"mosquitto_sub {common} -u {monitor} -P {shlex.quote(passwords[monitor])} "
             f"-t {shlex.quote(topics.site_filter())} -v")
    counter = " ".join(shlex.quote(part) for part in
                       [Path(sys.executable).name, *virtual_counter_argv(
                           provisioned, DEMO_COUNTER, mqtt_port)[1:]])
    return [
        _say("ready"),
        "  " + _say("kiosk", url=f"http://{HOST}:{kiosk_port}/"),
        "  " + _say("tickets", path=var / "tickets"),
        "  " + _say("board", path=var / "display.png"),
        "  " + _say("voice", path=var / "announcements"),
        "  " + _say("web_board", url=f"http://{HOST}:{http_port}/display"),
        "  " + _say("panel", url=f"http://{HOST}:{http_port}/counter/1", user=clerk_login[0],
                    password=clerk_login[1]),
        "  " + _say("box", keys=shlex.quote(str(var / "counter" / "keys"))),
        "  " + _say("http", url=f"http://{HOST}:{http_port}/api/v1/services"),
        "  " + _say("procedures",
                    url=f"http://{HOST}:{http_port}/api/v1/procedures?q=dang+ky+ket+hon"),
        *_dossier_lines(dossier_codes, http_port),
        f"  healthz: http://{HOST}:{http_port}/healthz",
        "  " + _say("watch"),
        f"    {watch}",
        "  " + _say("counter"),
        f"    {counter}",
        f"  ({counter_user(DEMO_COUNTER)}: o n r s f x h p u c q)",
        "  " + _say("stop"),
    ]


def run_up(args: argparse.Namespace) -> int:
    """Provision, start, supervise; 0 after Ctrl-C/SIGTERM, 1 on any failure."""
    from motcua.store.users import DEMO_USERNAME, ensure_demo_user  # hub-side code, lazily

    layout = DemoLayout(args.var.resolve())
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    supervisor = Supervisor(layout, stop)
    broker_dir = None
    try:
        clear_leftovers(layout.run_dir)
        require_free_ports([args.mqtt_port, args.http_port, args.kiosk_port])
        broker_dir = broker_runtime.create(layout.run_dir)
        provisioned = provision(layout, broker_dir, args.mqtt_port)
        print(_say("around_the_clock", path=layout.site_config), flush=True)
        start_broker(supervisor, provisioned.files, args.mqtt_port)
        demo_data = load_demo_data(layout, provisioned.site_id)  # before the hub starts
        start_hub(supervisor, provisioned, args.mqtt_port, args.http_port)
        # A fresh password at every run: none ships with the code.
        clerk_password = ensure_demo_user(layout.database_url, provisioned.site_id)
        start_kiosk(supervisor, provisioned, args.mqtt_port, args.http_port, args.kiosk_port)
        start_display(supervisor, provisioned, args.mqtt_port, has_screen())
        start_counter_box(supervisor, provisioned, args.mqtt_port)
        print("\n".join(instructions(provisioned, args.mqtt_port, args.http_port,
                                      args.kiosk_port, layout.var,
                                      (DEMO_USERNAME, clerk_password),
                                      demo_data.dossier_codes)),
              flush=True)
        counter = None
        if not args.no_counter and sys.stdin.isatty():
            counter = supervisor.spawn(
                "counter", virtual_counter_argv(provisioned, DEMO_COUNTER, args.mqtt_port),
                foreground=True)
        return _supervise(supervisor, stop, counter)
    except Interrupted:
        print(_say("stopping"), flush=True)
        return 0
    except PortBusy as error:
        print(_say("port_busy", port=error.port), file=sys.stderr, flush=True)
        return 1
    except ChildDied as error:
        _report_death(error, layout)
        return 1
    except (SupervisorError, BrokerProvisioningError, SiteConfigError,
            broker_runtime.RuntimeDirError, OSError) as error:
        print(_say("failed", error=error), file=sys.stderr, flush=True)
        return 1
    finally:
        supervisor.stop_all()
        if broker_dir is not None:
            broker_runtime.remove(broker_dir, layout.run_dir)


def _supervise(supervisor: Supervisor, stop: threading.Event, counter) -> int:
    while not stop.wait(0.2):
        dead = supervisor.dead_child()
        if dead is None:
            continue
        if dead is counter and dead.process.returncode == 0:
            break  # the clerk pressed q: a normal way to end the demo
        supervisor.check()  # raises ChildDied
    print(_say("stopping"), flush=True)
    supervisor.stop_all()
    print(_say("stopped"), flush=True)
    return 0


def _report_death(error: ChildDied, layout: DemoLayout) -> None:
    print(_say("child_died", name=error.name, code=error.returncode,
               log=layout.log_dir / f"{error.name}.log"), file=sys.stderr)
    print(error.log_tail.rstrip(), file=sys.stderr, flush=True)
