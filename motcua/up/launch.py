"""Starting the demo's broker and hub, each awaited until it is ready to serve."""

from __future__ import annotations

import datetime as dt
import sys
import urllib.request

from motcua.broker import HUB_USER, MONITOR_USER, BrokerFiles
from motcua.up.children import Child, Supervisor, find_mosquitto
from motcua.up.demo import HOST, DemoLayout, Provisioned
from motcua.up.hub_watch import HubStatusWatch
from motcua.up.leftovers import port_accepts

BROKER_READY_S = 10
HUB_READY_S = 30


def start_broker(supervisor: Supervisor, files: BrokerFiles, port: int) -> Child:
    """Start Mosquitto on ``files.config``; ready once ``port`` accepts connections."""
    child = supervisor.spawn("mosquitto", [find_mosquitto(), "-c", str(files.config)])
    supervisor.wait_until(lambda: port_accepts(port), f"mosquitto on port {port}",
                          BROKER_READY_S)
    return child


def hub_environment(layout: DemoLayout, provisioned: Provisioned, mqtt_port: int,
                    http_port: int) -> dict[str, str]:
    return {
        "MOTCUA_MQTT_URL": provisioned.mqtt_url(HUB_USER, mqtt_port),
        "MOTCUA_DB_URL": layout.database_url,
        "MOTCUA_SITE_CONFIG": str(layout.site_config),
        "MOTCUA_HTTP_HOST": HOST,
        "MOTCUA_HTTP_PORT": str(http_port),
        "PYTHONUNBUFFERED": "1",
    }


def healthz_ok(http_port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://{HOST}:{http_port}/healthz", timeout=1) as answer:
            return answer.status == 200
    except OSError:
        return False


def start_hub(supervisor: Supervisor, provisioned: Provisioned, mqtt_port: int,
              http_port: int) -> Child:
    """Start the hub; ready once it announces itself online and ``/healthz`` answers 200.

    The hub goes online on MQTT before its HTTP server listens; the URLs printed next
    must already answer, so both are awaited.
    """
    env = hub_environment(supervisor.layout, provisioned, mqtt_port, http_port)
    # Second precision: the hub's started_at may be rounded below our clock.
    since = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    child = supervisor.spawn("hub", [sys.executable, "-m", "motcua.cli", "hub"], env)
    watch = HubStatusWatch(provisioned.mqtt_url(MONITOR_USER, mqtt_port),
                           provisioned.site_id, since)
    try:
        supervisor.wait_until(lambda: watch.online.is_set() and healthz_ok(http_port),
                              f"hub (port {http_port}, hub/status)", HUB_READY_S)
    finally:
        watch.close()
    return child


def virtual_counter_argv(provisioned: Provisioned, counter: int, mqtt_port: int) -> list[str]:
    return [sys.executable, "-m", "counter_panel.virtual", "--counter", str(counter),
            "--site", provisioned.site_id,
            "--credentials", str(provisioned.files.credentials),
            "--url", f"mqtt://{HOST}:{mqtt_port}"]
