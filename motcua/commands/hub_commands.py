"""``motcua hub``: run the hub of one site until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import logging
import signal
import threading

from motcua.bus import BusAuthError, BusError
from motcua.hub_config import HubConfigError, load_hub_config

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "hub", help="run the hub (máy chủ điều phối): queue, MQTT, HTTP",
        description="Run the hub of one site. With no --config it runs the example center "
        "on sqlite:///var/motcua.db and a broker on 127.0.0.1:1883; override with "
        "MOTCUA_MQTT_URL, MOTCUA_DB_URL, MOTCUA_SITE, MOTCUA_SITE_CONFIG, MOTCUA_HTTP_PORT.")
    parser.add_argument("--config", help="hub TOML file ([hub] table)")
    parser.set_defaults(handler=run_hub)


def run_hub(args: argparse.Namespace) -> int:
    from motcua.hub import Hub
    from motcua.store import HubLockHeld

    try:
        config = load_hub_config(args.config)
        hub = Hub(config)
    except HubConfigError as exc:
        log.error("configuration: %s", exc)
        return 2
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        hub.start()
    except BusAuthError as exc:
        log.error("the broker refused the hub's login (check MOTCUA_MQTT_URL user/password): %s",
                  exc)
        return 3
    except BusError as exc:
        log.error("cannot reach the broker at the configured MQTT URL: %s", exc)
        return 3
    except HubLockHeld as exc:
        log.error("%s", exc)
        return 4
    print(f"motcua hub: site {hub.setup.site_id}, HTTP http://{config.http_host}:"
          f"{hub.http_port}/api/v1, MQTT root {hub.topics.root}", flush=True)
    stop.wait()
    log.info("stopping")
    hub.stop()
    return 0
