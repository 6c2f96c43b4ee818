"""Run a whole demo center on one machine: broker + hub (+ a virtual counter), supervised.

:class:`Supervisor` starts each child in its own process group with its output in
``var/log/<name>.log`` and its pid in ``var/run/<name>.pid``. The pid files let the next
start clear leftovers of a run that was killed hard (``kill -9``, closed terminal), which
would otherwise keep the ports and the hub's database lock.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from motcua.broker import (
    HUB_USER,
    BrokerFiles,
    Devices,
    display_user,
    init_broker,
    load_credentials,
)
from motcua.site_config import example_config_path, load_site_config

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
DEMO_KIOSK = "1"
DEMO_DISPLAY = "1"
DEMO_DEVICES = Devices(counters=tuple(range(1, 7)), kiosks=(DEMO_KIOSK,), displays=(DEMO_DISPLAY,))
#: Words a leftover's command line must contain before it is killed: never a stranger.
OURS = ("mosquitto", "motcua")
STOP_GRACE_S = 5.0
#: One session covering the whole day, every day: the demo issues numbers around the clock.
ALL_DAY_SESSION = """[[sessions]]
name = "Cả ngày (demo)"
start = "00:00"
end = "23:59"
weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
"""


class SupervisorError(RuntimeError):
    """The demo cannot start (busy port, a child that never got ready, ...)."""


class PortBusy(SupervisorError):
    def __init__(self, port: int) -> None:
        self.port = port
        super().__init__(f"port {port} is in use by another program")


class Interrupted(SupervisorError):
    """Ctrl-C or SIGTERM arrived while waiting for a child to get ready."""


class ChildDied(SupervisorError):
    def __init__(self, name: str, returncode: int | None, log_tail: str) -> None:
        self.name = name
        self.returncode = returncode
        self.log_tail = log_tail
        super().__init__(f"{name} exited with status {returncode}")


@dataclass(frozen=True)
class DemoLayout:
    """Where a demo run keeps its files, all under ``var``."""

    var: Path

    @property
    def broker_dir(self) -> Path:
        return self.var / "broker"

    @property
    def run_dir(self) -> Path:
        return self.var / "run"

    @property
    def log_dir(self) -> Path:
        return self.var / "log"

    @property
    def site_config(self) -> Path:
        return self.var / "demo-site.toml"

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.var / 'motcua.db'}"


@dataclass(frozen=True)
class Provisioned:
    """What :func:`provision` prepared: broker files, site id and device passwords."""

    files: BrokerFiles
    site_id: str
    passwords: Mapping[str, str]

    def mqtt_url(self, user: str, port: int) -> str:
        return f"mqtt://{quote(user, safe='')}:{quote(self.passwords[user], safe='')}@{HOST}:{port}"


def demo_site_text(example_text: str) -> str:
    """The example center's TOML with its ``[[sessions]]`` replaced by one all-day session."""
    kept: list[str] = []
    skipping = False
    inserted = False
    for line in example_text.splitlines(keepends=True):
        header = line.strip()
        if header == "[[sessions]]":
            skipping = True
            if not inserted:
                kept.append(ALL_DAY_SESSION + "\n")
                inserted = True
            continue
        if skipping and header.startswith("["):
            skipping = False
        if not skipping:
            kept.append(line)
    return "".join(kept)


def provision(layout: DemoLayout, mqtt_port: int) -> Provisioned:
    """Write the demo site file and the broker files (idempotent: passwords are kept).

    Raises:
        BrokerProvisioningError: the broker files cannot be written.
        SiteConfigError: the demo site file does not validate.
    """
    layout.var.mkdir(parents=True, exist_ok=True)
    layout.site_config.write_text(
        demo_site_text(example_config_path().read_text(encoding="utf-8")), encoding="utf-8")
    site_id = load_site_config(layout.site_config).site.id
    files = init_broker(site_id, DEMO_DEVICES, layout.broker_dir, HOST, mqtt_port)
    return Provisioned(files, site_id, load_credentials(files.credentials))


# --------------------------------------------------------------------------- ports and leftovers


def port_is_free(port: int, host: str = HOST) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return False
            raise
        return True


def port_accepts(port: int, host: str = HOST) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(
            "utf-8", "replace")
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie still answers kill(0); it holds nothing any more.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _signal_group(pid: int, signum: int) -> None:
    try:
        if os.getpgid(pid) == pid:
            os.killpg(pid, signum)
        else:
            os.kill(pid, signum)
    except ProcessLookupError:
        pass


def clear_leftovers(run_dir: Path) -> list[int]:
    """Terminate processes of an earlier run that are still alive; return their pids.

    Only a pid named in ``run_dir/*.pid`` whose command line mentions mosquitto or motcua
    is touched: a recycled pid of someone else's program is left alone.
    """
    stopped = []
    for pid_file in sorted(run_dir.glob("*.pid")):
        try:
            pid = int(pid_file.read_text().strip())
        except (OSError, ValueError):
            pid_file.unlink(missing_ok=True)
            continue
        if pid != os.getpid() and _alive(pid) and any(w in _command_line(pid) for w in OURS):
            log.warning("stopping leftover %s (pid %d) of an earlier run", pid_file.stem, pid)
            _terminate(pid)
            stopped.append(pid)
        pid_file.unlink(missing_ok=True)
    return stopped


def _terminate(pid: int, grace_s: float = STOP_GRACE_S) -> None:
    _signal_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _alive(pid):
        _signal_group(pid, signal.SIGKILL)


def require_free_ports(ports: Sequence[int]) -> None:
    """Raise :class:`PortBusy` for the first of ``ports`` something else listens on."""
    for port in ports:
        # A port just released by a leftover may take a moment to be bindable again.
        deadline = time.monotonic() + 2.0
        while not port_is_free(port):
            if time.monotonic() > deadline:
                raise PortBusy(port)
            time.sleep(0.1)


# --------------------------------------------------------------------------- children


def find_mosquitto() -> str:
    """Return the mosquitto program (Debian installs it in /usr/sbin, often off PATH)."""
    found = shutil.which("mosquitto") or shutil.which("mosquitto", path="/usr/sbin:/usr/local/sbin")
    if not found:
        raise SupervisorError("mosquitto not found (apt-get install mosquitto)")
    return found


def tail(path: Path, lines: int = 15) -> str:
    try:
        return "".join(path.read_text(encoding="utf-8", errors="replace")
                       .splitlines(keepends=True)[-lines:])
    except OSError:
        return ""


@dataclass
class Child:
    """One supervised process, its log file and pid file."""

    name: str
    process: subprocess.Popen
    log_path: Path
    pid_path: Path | None
    own_group: bool = True

    def stop(self, grace_s: float = STOP_GRACE_S) -> None:
        if self.process.poll() is None:
            self._signal(signal.SIGTERM)
            try:
                self.process.wait(grace_s)
            except subprocess.TimeoutExpired:
                log.warning("%s did not stop within %.0f s; killing it", self.name, grace_s)
                self._signal(signal.SIGKILL)
                self.process.wait()
        if self.pid_path is not None:
            self.pid_path.unlink(missing_ok=True)

    def _signal(self, signum: int) -> None:
        try:
            if self.own_group:
                os.killpg(self.process.pid, signum)
            else:
                self.process.send_signal(signum)
        except ProcessLookupError:
            pass


@dataclass
class Supervisor:
    """Starts children, watches them, and stops them all (last started, first stopped)."""

    layout: DemoLayout
    stop: threading.Event = field(default_factory=threading.Event)
    children: list[Child] = field(default_factory=list)

    def spawn(self, name: str, argv: Sequence[str], env: Mapping[str, str] | None = None,
              *, foreground: bool = False) -> Child:
        """Start ``argv``; a background child gets its own group, log file and pid file.

        A ``foreground`` child (the virtual counter) shares the terminal: it keeps stdin and
        stdout and receives Ctrl-C with us.
        """
        self.layout.log_dir.mkdir(parents=True, exist_ok=True)
        self.layout.run_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.layout.log_dir / f"{name}.log"
        environment = {**os.environ, **(env or {})}
        if foreground:
            process = subprocess.Popen(list(argv), env=environment)
            child = Child(name, process, log_path, None, own_group=False)
        else:
            with log_path.open("ab") as output:
                process = subprocess.Popen(
                    list(argv), env=environment, stdin=subprocess.DEVNULL, stdout=output,
                    stderr=subprocess.STDOUT, start_new_session=True)
            pid_path = self.layout.run_dir / f"{name}.pid"
            pid_path.write_text(f"{process.pid}\n")
            child = Child(name, process, log_path, pid_path)
        self.children.append(child)
        log.info("started %s (pid %d)", name, process.pid)
        return child

    def dead_child(self) -> Child | None:
        """The first child that has exited, if any."""
        return next((c for c in self.children if c.process.poll() is not None), None)

    def check(self) -> None:
        """Raise :class:`ChildDied` if a child has exited."""
        dead = self.dead_child()
        if dead is not None:
            raise ChildDied(dead.name, dead.process.returncode, tail(dead.log_path))

    def wait_until(self, ready: Callable[[], bool], what: str, timeout_s: float) -> None:
        """Poll ``ready`` until true; raise if a child dies, ``stop`` is set or time is up."""
        deadline = time.monotonic() + timeout_s
        while not ready():
            self.check()
            if time.monotonic() > deadline:
                raise SupervisorError(f"{what} not ready within {timeout_s:.0f} s")
            if self.stop.wait(0.1):
                raise Interrupted(f"interrupted while waiting for {what}")

    def stop_all(self) -> None:
        for child in reversed(self.children):
            child.stop()
        self.children.clear()


def start_broker(supervisor: Supervisor, files: BrokerFiles, port: int) -> Child:
    child = supervisor.spawn("mosquitto", [find_mosquitto(), "-c", str(files.config)])
    supervisor.wait_until(lambda: port_accepts(port), f"mosquitto on port {port}", 10)
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


class HubStatusWatch:
    """Watches the retained ``hub/status`` for a hub that came online after ``since``.

    A retained ``online: true`` left by a hub killed with its broker is older than
    ``since``, so it does not count.
    """

    def __init__(self, url: str, site_id: str, since: dt.datetime) -> None:
        from motcua.bus import BusSettings, connect_bus
        from motcua.contract import Topics

        self.since = since
        self.online = threading.Event()
        self.bus = connect_bus(BusSettings(url=url, client_id=f"motcua-up-{os.getpid()}"),
                               subscriptions={Topics(site_id).hub_status(): self._on_status})

    def _on_status(self, message) -> None:
        try:
            status = json.loads(message.payload)
            started = dt.datetime.fromisoformat(status.get("started_at", ""))
        except (ValueError, TypeError, AttributeError):
            return
        if status.get("online") is True and started >= self.since:
            self.online.set()

    def close(self) -> None:
        self.bus.close(announce_offline=False)


def start_hub(supervisor: Supervisor, provisioned: Provisioned, mqtt_port: int,
              http_port: int) -> Child:
    """Start the hub; ready once ``/healthz`` answers 200 or it announces itself online."""
    env = hub_environment(supervisor.layout, provisioned, mqtt_port, http_port)
    # Second precision: the hub's started_at may be rounded below our clock.
    since = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    child = supervisor.spawn("hub", [sys.executable, "-m", "motcua.cli", "hub"], env)
    watch = HubStatusWatch(provisioned.mqtt_url(display_user(DEMO_DISPLAY), mqtt_port),
                           provisioned.site_id, since)
    try:
        supervisor.wait_until(lambda: watch.online.is_set() or healthz_ok(http_port),
                              f"hub (port {http_port}, hub/status)", 30)
    finally:
        watch.close()
    return child


def virtual_counter_argv(provisioned: Provisioned, counter: int, mqtt_port: int) -> list[str]:
    return [sys.executable, "-m", "counter_panel.virtual", "--counter", str(counter),
            "--site", provisioned.site_id,
            "--credentials", str(provisioned.files.credentials),
            "--url", f"mqtt://{HOST}:{mqtt_port}"]
