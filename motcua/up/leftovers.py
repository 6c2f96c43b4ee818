"""What a run killed hard (``kill -9``, a closed terminal) leaves behind, and busy ports.

Its children would keep the ports and the hub's database lock, and its broker runtime
directory would stay on disk: :func:`clear_leftovers` frees them before the next start.
"""

from __future__ import annotations

import errno
import logging
import os
import signal
import socket
import time
from collections.abc import Sequence
from pathlib import Path

from motcua.up import broker_runtime
from motcua.up.children import STOP_GRACE_S, SupervisorError
from motcua.up.demo import HOST

log = logging.getLogger(__name__)

#: Words a leftover's command line must contain before it is killed: never a stranger.
OURS = ("mosquitto", "motcua")


class PortBusy(SupervisorError):
    def __init__(self, port: int) -> None:
        self.port = port
        super().__init__(f"port {port} is in use by another program")


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


def require_free_ports(ports: Sequence[int]) -> None:
    """Raise :class:`PortBusy` for the first of ``ports`` something else listens on."""
    for port in ports:
        # A port just released by a leftover may take a moment to be bindable again.
        deadline = time.monotonic() + 2.0
        while not port_is_free(port):
            if time.monotonic() > deadline:
                raise PortBusy(port)
            time.sleep(0.1)


def clear_leftovers(run_dir: Path) -> list[int]:
    """Stop processes of an earlier run still alive, remove its broker directory.

    Only a pid named in ``run_dir/*.pid`` whose command line mentions mosquitto or motcua
    is touched: a recycled pid of someone else's program is left alone. Returns the pids
    stopped.
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
    broker_runtime.remove_stale(run_dir)
    return stopped


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


def _terminate(pid: int, grace_s: float = STOP_GRACE_S) -> None:
    _signal_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _alive(pid):
        _signal_group(pid, signal.SIGKILL)
