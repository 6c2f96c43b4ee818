"""``motcua kiosk``: run one kiosk (touch pages + printer + MQTT) until SIGINT/SIGTERM.

``motcua kiosk check-config FILE`` validates a kiosk file and prints every bad key.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "kiosk", help="chạy ki-ốt lấy số (run a kiosk: touch pages, printer, MQTT)",
        description="Run one kiosk: it serves the touch pages for Chromium in kiosk mode, "
        "prints tickets and talks to the hub over MQTT only. Example file: "
        "kiosk/kiosk.example.toml. Environment overrides: MOTCUA_KIOSK_ID, MOTCUA_MQTT_URL, "
        "MOTCUA_SITE, MOTCUA_PUBLIC_URL, MOTCUA_KIOSK_HTTP_HOST, MOTCUA_KIOSK_HTTP_PORT, "
        "MOTCUA_PRINTER_PROFILE, MOTCUA_PRINTER, MOTCUA_SCANNER, MOTCUA_SCANNER_PORT.")
    parser.add_argument("--config",
                        help="kiosk TOML file ([kiosk], [printer] and [scanner] tables)")
    parser.set_defaults(handler=run_kiosk)
    actions = parser.add_subparsers(dest="kiosk_command", metavar="ACTION")
    check = actions.add_parser("check-config", help="kiểm tra tệp cấu hình (validate a file)")
    check.add_argument("file", help="kiosk TOML file")
    check.set_defaults(handler=check_config)


def check_config(args: argparse.Namespace) -> int:
    from kiosk.config import KioskConfigError, load_kiosk_config
    from kiosk.printing import PrinterConfigError, load_profile

    try:
        config = load_kiosk_config(args.file)
        load_profile(config.printer.profile, _profiles_dir(config))
    except (KioskConfigError, PrinterConfigError) as exc:
        print(f"cấu hình sai / invalid configuration: {exc}", file=sys.stderr)
        return 2
    print(f"{args.file}: hợp lệ / valid (kiosk {config.kiosk.id}, site {config.kiosk.site}, "
          f"printer {config.printer.profile} via {config.printer.transport}, "
          f"scanner {config.scanner.kind})")
    return 0


def _profiles_dir(config):
    directory = config.printer.profiles_dir
    if directory is not None and not directory.is_absolute():
        directory = config.base_dir / directory
    return directory


def run_kiosk(args: argparse.Namespace) -> int:
    from kiosk.config import KioskConfigError, load_kiosk_config
    from kiosk.printing import PrinterConfigError, open_printer
    from kiosk.runtime import HubKiosk, KioskIdentity
    from kiosk.scanning import ScannerConfigError, open_scanner
    from kiosk.web import KioskWebSettings, create_kiosk_app
    from motcua.server.serve import serve

    try:
        config = load_kiosk_config(args.config)
        printer = open_printer(config.printer, base_dir=config.base_dir)
    except (KioskConfigError, PrinterConfigError) as exc:
        log.error("configuration: %s", exc)
        return 2
    section = config.kiosk
    kiosk = HubKiosk(
        KioskIdentity(kiosk_id=section.id, site=section.site, center_name=section.center_name,
                      public_url=section.public_url, services=tuple(section.services),
                      priorities=section.priority_choices(), footer=tuple(section.footer)),
        mqtt_url=section.mqtt_url, printer=printer, printer_poll_s=section.printer_poll_s,
        code_rule=config.scanner.code_rule())
    try:
        scanner = open_scanner(config.scanner, kiosk.scanned, base_dir=config.base_dir)
    except ScannerConfigError as exc:
        log.error("configuration: %s", exc)
        return 2
    app = create_kiosk_app(kiosk, KioskWebSettings(
        idle_timeout_s=section.idle_timeout_s, result_timeout_s=section.result_timeout_s,
        default_language=section.language, timezone=section.timezone,
        wedge=config.scanner.kind == "wedge",
        wedge_max_gap_ms=config.scanner.wedge_max_gap_ms,
        wedge_min_chars=config.scanner.wedge_min_chars))
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        server = serve(app, host=section.http_host, port=section.http_port,
                       threads=section.http_threads)
    except OSError as exc:
        log.error("cannot listen on %s:%s: %s", section.http_host, section.http_port, exc)
        return 3
    kiosk.start()
    scanner.start()
    server.start()
    print(f"motcua kiosk {section.id}: {server.url}/ (printer {config.printer.profile} via "
          f"{config.printer.transport}, scanner {config.scanner.kind}, MQTT root "
          f"motcua/v1/{section.site})", flush=True)
    stop.wait()
    log.info("stopping")
    server.close()
    scanner.close()
    kiosk.close()
    return 0
