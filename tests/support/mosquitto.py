"""A real Mosquitto broker for tests, on a free port of 127.0.0.1, in a temporary directory.

Run as root (the CI case), Mosquitto drops privileges to the ``mosquitto`` user, so the
directory and every file it reads are handed to that user instead of running it as root.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

from motcua.broker import write_password_file
from tests.support.ports import free_port

MOSQUITTO_CANDIDATES = ("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto")
BROKER_USER = "mosquitto"
HOST = "127.0.0.1"
_START_TIMEOUT_S = 5.0
_STOP_TIMEOUT_S = 5.0


class MosquittoNotFound(RuntimeError):
    """The ``mosquitto`` program is not installed."""


def find_mosquitto() -> str:
    """Return the path of the ``mosquitto`` program.

    Raises:
        MosquittoNotFound: it is neither on PATH nor in Debian's ``/usr/sbin``.
    """
    found = shutil.which("mosquitto")
    if found:
        return found
    for candidate in MOSQUITTO_CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    raise MosquittoNotFound(
        "mosquitto not found on PATH nor in /usr/sbin (apt-get install mosquitto)"
    )


def make_broker_directory() -> Path:
    """Return a new temporary directory that a privilege-dropped Mosquitto can use."""
    directory = Path(tempfile.mkdtemp(prefix="motcua-mosquitto-"))
    hand_to_broker_user(directory)
    return directory


def hand_to_broker_user(path: Path) -> None:
    """Let the ``mosquitto`` user read ``path`` (recursively) when we run as root."""
    if os.geteuid() != 0:
        return
    try:
        broker = pwd.getpwnam(BROKER_USER)
    except KeyError:
        return  # no such user: mosquitto keeps running as root
    for item in [path, *path.rglob("*")] if path.is_dir() else [path]:
        os.chown(item, broker.pw_uid, broker.pw_gid)


class MosquittoBroker:
    """A Mosquitto process: ``with MosquittoBroker(users={"hub": "pw"}) as broker: ...``.

    Either give ``config_path`` (a complete configuration listening on ``port``), or let
    the broker write one from ``users``, ``acl`` (ACL file text) and ``allow_anonymous``.
    It logs every packet (``log_type all``) for tests to read; ``packet_log=False`` logs
    what the product's broker logs (benches: writing a log line per packet costs the
    broker more CPU than forwarding the packet).
    """

    def __init__(
        self,
        *,
        users: Mapping[str, str] | None = None,
        acl: str | None = None,
        allow_anonymous: bool | None = None,
        port: int | None = None,
        config_path: Path | None = None,
        packet_log: bool = True,
    ) -> None:
        self.program = find_mosquitto()
        self.host = HOST
        self.port = port or free_port()
        self.users = dict(users or {})
        self.packet_log = packet_log
        self._owns_directory = config_path is None
        if config_path is None:
            self.directory = make_broker_directory()
            self.log_path = self.directory / "mosquitto.log"
            anonymous = not self.users if allow_anonymous is None else allow_anonymous
            self.config_path = self._write_config(acl, anonymous)
        else:
            self.directory = config_path.parent
            self.config_path = config_path
            self.log_path = self.directory / "mosquitto-test.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        """The broker's process id while it runs (benches read its CPU time)."""
        return self._process.pid if self._process is not None else None

    def url(self, user: str | None = None) -> str:
        """Return ``mqtt://user:password@127.0.0.1:port`` (anonymous without ``user``)."""
        if user is None:
            return f"mqtt://{self.host}:{self.port}"
        return f"mqtt://{user}:{self.users[user]}@{self.host}:{self.port}"

    def _write_config(self, acl: str | None, allow_anonymous: bool) -> Path:
        lines = [
            "per_listener_settings false",
            f"allow_anonymous {'true' if allow_anonymous else 'false'}",
            "set_tcp_nodelay true",
            "max_inflight_messages 1000",  # as broker_config/mosquitto.conf.template
            f"listener {self.port} {self.host}",
            "persistence false",
            # Mosquitto buffers stdout when it is not a terminal; its log file is flushed
            # line by line, so tests can read what happened so far.
            f"log_dest file {self.log_path}",
        ]
        lines += (["log_type all"] if self.packet_log else
                  [f"log_type {kind}" for kind in ("error", "warning", "notice", "information")])
        if self.users:
            password_file = self.directory / "passwd"
            write_password_file(password_file, self.users)
            lines.append(f"password_file {password_file}")
        if acl is not None:
            acl_file = self.directory / "acl"
            acl_file.write_text(acl, encoding="utf-8")
            lines.append(f"acl_file {acl_file}")
        config_path = self.directory / "mosquitto.conf"
        config_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.log_path.touch()
        hand_to_broker_user(self.directory)
        return config_path

    def start(self) -> None:
        """Start Mosquitto and return once its port accepts connections.

        Raises:
            RuntimeError: it exited or did not listen within 5 s (its log is in the message).
        """
        if self._process is not None:
            return
        with self.log_path.open("ab") as log_file:
            self._process = subprocess.Popen(
                [self.program, "-c", str(self.config_path)],
                stdout=log_file,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + _START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self._process = None
                raise RuntimeError(f"mosquitto exited at start:\n{self.log_text()}")
            if self._accepts_connections():
                return
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"mosquitto did not listen on {self.port}:\n{self.log_text()}")

    def _accepts_connections(self) -> bool:
        try:
            with socket.create_connection((self.host, self.port), timeout=0.2):
                return True
        except OSError:
            return False

    def stop(self) -> None:
        """Stop Mosquitto (SIGTERM, then SIGKILL after 5 s); the directory is kept."""
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(_STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def restart(self) -> None:
        """Stop, then start again on the same port (clients see a broker restart)."""
        self.stop()
        self.start()

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def log_text(self) -> str:
        """Return what Mosquitto logged so far (for failure messages)."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def close(self) -> None:
        """Stop the broker and delete the directory it was given, if this object made it."""
        self.stop()
        if self._owns_directory:
            shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> MosquittoBroker:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
