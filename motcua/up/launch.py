"""Starting the demo's broker and hub, each awaited until it is ready to serve."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
import urllib.request

from motcua.broker import HUB_USER, MONITOR_USER, BrokerFiles, display_user, kiosk_user
from motcua.up.children import Child, Supervisor, find_mosquitto
from motcua.up.demo import DEMO_DISPLAY, DEMO_KIOSK, HOST, DemoLayout, Provisioned
from motcua.up.hub_watch import HubStatusWatch
from motcua.up.leftovers import port_accepts

BROKER_READY_S = 10
HUB_READY_S = 30
KIOSK_READY_S = 30
DISPLAY_READY_S = 30
COUNTER_BOX_READY_S = 20
#: The simulated counter box of the demo: box address 2 drives counter 2.
DEMO_BOX_COUNTER = 2
#: Seconds between two screenshots of a headless demo board (each costs ~0.1 s of CPU).
DISPLAY_SCREENSHOT_EVERY_S = 5


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
    """The process on ``http_port`` answers ``/healthz`` with 200."""
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


def kiosk_environment(provisioned: Provisioned, mqtt_port: int, http_port: int,
                      kiosk_port: int) -> dict[str, str]:
    return {
        "MOTCUA_KIOSK_ID": DEMO_KIOSK,
        "MOTCUA_SITE": provisioned.site_id,
        "MOTCUA_MQTT_URL": provisioned.mqtt_url(kiosk_user(DEMO_KIOSK), mqtt_port),
        "MOTCUA_PUBLIC_URL": f"http://{HOST}:{http_port}",
        "MOTCUA_KIOSK_HTTP_HOST": HOST,
        "MOTCUA_KIOSK_HTTP_PORT": str(kiosk_port),
        "MOTCUA_PRINTER": "dummy",
        "PYTHONUNBUFFERED": "1",
    }


def start_kiosk(supervisor: Supervisor, provisioned: Provisioned, mqtt_port: int,
                http_port: int, kiosk_port: int) -> Child:
    """Start kiosk 1 with the dummy printer (tickets under ``var/tickets``); ready once its
    pages answer ``/healthz``. Its config file is ``var/kiosk.toml``, written here."""
    layout = supervisor.layout
    config = layout.var / "kiosk.toml"
    config.write_text(DEMO_KIOSK_TOML.format(tickets=(layout.var / "tickets").as_posix()),
                      encoding="utf-8")
    env = kiosk_environment(provisioned, mqtt_port, http_port, kiosk_port)
    child = supervisor.spawn("kiosk", [sys.executable, "-m", "motcua.cli", "kiosk",
                                       "--config", str(config)], env)
    supervisor.wait_until(lambda: healthz_ok(kiosk_port), f"kiosk (port {kiosk_port})",
                          KIOSK_READY_S)
    return child


#: The demo kiosk's file; its login, ports and site come from the environment above.
DEMO_KIOSK_TOML = """\
# Written by `motcua up` at each start; see kiosk/kiosk.example.toml for every key.
[kiosk]
center_name = "Trung tâm Phục vụ hành chính công (demo)"
footer = ["Xin cảm ơn quý khách!"]

[printer]
profile = "generic-80mm"
transport = "dummy"
output_dir = "{tickets}"

# A code typed fast on the keyboard and ended by Enter acts as a barcode scan (what a USB
# scanner in keyboard mode does); the on-screen keyboard works as well.
[scanner]
kind = "wedge"
"""


def display_argv(layout: DemoLayout, with_window: bool) -> list[str]:
    """``motcua display`` for the demo: a window when there is a screen, else headless
    with a fresh ``var/display.png``; the calls are spoken into ``var/announcements``."""
    from motcua.up.demo import REPO_DISPLAY_CONFIG

    argv = [sys.executable, "-m", "motcua.cli", "display", "--config", str(REPO_DISPLAY_CONFIG),
            "--audio-out", str(layout.var / "announcements"),
            "--screenshot-every-s", str(DISPLAY_SCREENSHOT_EVERY_S),
            "--screenshot-path", str(layout.var / "display.png")]
    return argv + (["--window"] if with_window else ["--headless"])


def start_display(supervisor: Supervisor, provisioned: Provisioned, mqtt_port: int,
                  with_window: bool) -> Child:
    """Start display 1; ready once it wrote its first screenshot."""
    layout = supervisor.layout
    screenshot = layout.var / "display.png"
    screenshot.unlink(missing_ok=True)
    env = {
        "MOTCUA_DISPLAY_ID": DEMO_DISPLAY,
        "MOTCUA_SITE": provisioned.site_id,
        "MOTCUA_MQTT_URL": provisioned.mqtt_url(display_user(DEMO_DISPLAY), mqtt_port),
        "PYTHONUNBUFFERED": "1",
    }
    child = supervisor.spawn("display", display_argv(layout, with_window), env)
    supervisor.wait_until(screenshot.exists, "display (var/display.png)", DISPLAY_READY_S)
    return child


def counter_box_paths(layout: DemoLayout) -> tuple[Path, Path]:
    """The simulated bus's pty link and the named pipe its keys are pressed through."""
    return layout.var / "counter" / "sim-bus", layout.var / "counter" / "keys"


def start_counter_box(supervisor: Supervisor, provisioned: Provisioned, mqtt_port: int) -> Child:
    """Start a simulated button box + LED sign on a pty with its bridge, for counter 2; the
    clerk logs in with code 1234 at start. Keys: ``echo NEXT > var/counter/keys``."""
    from motcua.up.demo import REPO_COUNTER_CONFIG

    link, keys = counter_box_paths(supervisor.layout)
    link.parent.mkdir(parents=True, exist_ok=True)
    keys.unlink(missing_ok=True)
    env = {
        "MOTCUA_MQTT_URL": f"mqtt://{HOST}:{mqtt_port}",
        "MOTCUA_BROKER_CREDENTIALS": str(provisioned.files.credentials),
        "MOTCUA_SITE": provisioned.site_id,
        "MOTCUA_COUNTER_SERIAL": str(link),
        "PYTHONUNBUFFERED": "1",
    }
    argv = [sys.executable, "-m", "motcua.cli", "counter", "simulate",
            "--config", str(REPO_COUNTER_CONFIG), "--link", str(link), "--keys-fifo", str(keys),
            "--script", "LOGIN 1234"]
    child = supervisor.spawn("counter-box", argv, env)
    supervisor.wait_until(keys.exists, "simulated counter box (var/counter/keys)",
                          COUNTER_BOX_READY_S)
    return child
