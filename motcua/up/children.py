"""Child processes of a demo run: started, watched, stopped (last started, first stopped).

:class:`Supervisor` starts each background child in its own process group with its
output in ``var/log/<name>.log`` and its pid in ``var/run/<name>.pid``; the pid files let
the next start clear leftovers of a run that was killed hard (see :mod:`.leftovers`).
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from motcua.up.demo import DemoLayout

log = logging.getLogger(__name__)

STOP_GRACE_S = 5.0


class SupervisorError(RuntimeError):
    """The demo cannot start (busy port, a child that never got ready, ...)."""


class Interrupted(SupervisorError):
    """Ctrl-C or SIGTERM arrived while waiting for a child to get ready."""


class ChildDied(SupervisorError):
    def __init__(self, name: str, returncode: int | None, log_tail: str) -> None:
        self.name = name
        self.returncode = returncode
        self.log_tail = log_tail
        super().__init__(f"{name} exited with status {returncode}")


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
