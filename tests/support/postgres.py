"""A throw-away PostgreSQL cluster for tests, on a free port, in a temporary directory.

``initdb`` and ``postgres`` refuse to run as root, so when the tests run as root (the CI
case) the cluster belongs to a dedicated unprivileged system user, ``motcua-test``, and
every server command runs through ``runuser``.
"""

from __future__ import annotations

import glob
import logging
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType

import psycopg
from psycopg import sql

from tests.support.ports import free_port

log = logging.getLogger(__name__)

#: Owner of the cluster when the tests run as root.
TEST_USER = "motcua-test"

#: Where Debian installs the server binaries (not on PATH).
DEBIAN_BIN_GLOB = "/usr/lib/postgresql/*/bin"

_SERVER_PROGRAMS = ("initdb", "pg_ctl", "postgres")
_START_ATTEMPTS = 3


class PostgresNotFound(RuntimeError):
    """The PostgreSQL server programs (initdb, pg_ctl, postgres) are not installed."""


def find_server_bin_dir() -> Path:
    """Return a directory holding ``initdb``, ``pg_ctl`` and ``postgres``.

    Looks next to the ``initdb`` found on PATH (and where it links to), then in Debian's
    ``/usr/lib/postgresql/<version>/bin``, newest version first.

    Raises:
        PostgresNotFound: no directory holds all three programs.
    """
    candidates: list[Path] = []
    on_path = shutil.which("initdb")
    if on_path:
        candidates += [Path(on_path).parent, Path(on_path).resolve().parent]
    debian_dirs = glob.glob(DEBIAN_BIN_GLOB)
    candidates += sorted((Path(d) for d in debian_dirs), key=_version_key, reverse=True)
    for directory in candidates:
        if all(os.access(directory / program, os.X_OK) for program in _SERVER_PROGRAMS):
            return directory
    raise PostgresNotFound(
        "PostgreSQL server programs (initdb, pg_ctl, postgres) not found on PATH nor in "
        f"{DEBIAN_BIN_GLOB}; install them with `apt-get install postgresql` "
        "(scripts/setup.sh does it when run as root)"
    )


def _version_key(bin_dir: Path) -> tuple[int, ...]:
    """Sort key for ``.../postgresql/<version>/bin``: numeric version, unknown first."""
    try:
        return tuple(int(part) for part in bin_dir.parent.name.split("."))
    except ValueError:
        return ()


class PostgresCluster:
    """A private PostgreSQL server on 127.0.0.1, started by :meth:`start`.

    Durability settings are left at their defaults (``fsync`` on), because tests about
    crash safety run against it. Authentication is ``trust`` for the ``postgres`` user,
    and only the loopback address and a socket inside the temporary directory listen.

    Use as a context manager, which starts the server and always stops it::

        with PostgresCluster() as cluster:
            url = cluster.create_database("example")
    """

    def __init__(self) -> None:
        """Locate the server programs; start nothing yet.

        Raises:
            PostgresNotFound: the server programs are not installed.
        """
        self.bin_dir = find_server_bin_dir()
        self.port: int | None = None
        self._base_dir: Path | None = None
        self._run_as = TEST_USER if os.geteuid() == 0 else None

    @property
    def data_dir(self) -> Path:
        """The cluster's data directory (only while started)."""
        return self._started_base_dir() / "data"

    @property
    def log_file(self) -> Path:
        """The server's log file (only while started)."""
        return self._started_base_dir() / "postgres.log"

    def _started_base_dir(self) -> Path:
        if self._base_dir is None:
            raise RuntimeError("PostgreSQL cluster not started")
        return self._base_dir

    def start(self) -> None:
        """Create the cluster and return once the server accepts connections.

        Raises:
            RuntimeError: initdb or the server failed; the message holds the server log.
        """
        if self._run_as:
            _require_traversable(Path(tempfile.gettempdir()))
        self._base_dir = Path(tempfile.mkdtemp(prefix="motcua-pg-"))
        try:
            if self._run_as:
                owner = _ensure_system_user(self._run_as)
                os.chown(self._base_dir, owner.pw_uid, owner.pw_gid)
            self._run(
                "initdb", "-D", str(self.data_dir), "-A", "trust", "-U", "postgres",
                "--no-sync", "-E", "UTF8", "--locale=C",
            )
            self._start_on_free_port()
        except BaseException:
            self._remove_base_dir()
            raise
        log.info("PostgreSQL %s listening on 127.0.0.1:%s", self.bin_dir, self.port)

    def _start_on_free_port(self) -> None:
        # The free port may be taken between choosing and binding it: try a few.
        for attempt in range(1, _START_ATTEMPTS + 1):
            self.port = free_port()
            self._write_settings()
            try:
                self._run(
                    "pg_ctl", "start", "-D", str(self.data_dir), "-l", str(self.log_file),
                    "-w", "-t", "60",
                )
                return
            except RuntimeError:
                if attempt == _START_ATTEMPTS:
                    raise
                log.warning("PostgreSQL did not start on port %s; retrying", self.port)

    def _write_settings(self) -> None:
        # postgresql.auto.conf is read last, so these lines win over postgresql.conf.
        settings = {
            "port": str(self.port),
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self._base_dir}'",
            # Room for tests that keep a pool open while others create databases.
            "max_connections": "200",
        }
        text = "".join(f"{key} = {value}\n" for key, value in settings.items())
        auto_conf = self.data_dir / "postgresql.auto.conf"
        auto_conf.write_text(text, encoding="utf-8")

    def url(self, database: str) -> str:
        """Return the SQLAlchemy URL of ``database`` on this server (psycopg 3 driver)."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create an empty database ``name`` and return its SQLAlchemy URL."""
        self._admin_execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop database ``name``, disconnecting any session still using it."""
        self._admin_execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )

    def _admin_execute(self, statement: sql.Composed) -> None:
        # CREATE/DROP DATABASE cannot run inside a transaction block, hence autocommit.
        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres",
            autocommit=True, connect_timeout=10,
        ) as connection:
            connection.execute(statement)

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete its directory. Safe to call twice."""
        if self._base_dir is None:
            return
        try:
            if (self.data_dir / "postmaster.pid").exists():
                self._run("pg_ctl", "stop", "-D", str(self.data_dir), "-m", "fast", "-w")
        finally:
            self._remove_base_dir()

    def _remove_base_dir(self) -> None:
        if self._base_dir is not None:
            shutil.rmtree(self._base_dir, ignore_errors=True)
            self._base_dir = None

    def _run(self, program: str, *args: str) -> None:
        """Run a server program as the cluster's owner; raise RuntimeError with its output."""
        command = [str(self.bin_dir / program), *args]
        if self._run_as:
            command = ["runuser", "-u", self._run_as, "--", *command]
        # The cluster's owner may not be able to read the caller's working directory,
        # and the PostgreSQL programs refuse to start without it.
        result = subprocess.run(
            command, cwd=self._base_dir, capture_output=True, text=True, check=False,
            stdin=subprocess.DEVNULL,
        )
        if result.returncode != 0:
            server_log = self._server_log_tail()
            raise RuntimeError(
                f"{program} failed (exit {result.returncode}): {' '.join(command)}\n"
                f"{result.stdout}{result.stderr}{server_log}"
            )

    def _server_log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_file.read_text(encoding="utf-8", errors="replace")
        except (OSError, RuntimeError):
            return ""
        return "--- server log ---\n" + "\n".join(text.splitlines()[-lines:]) + "\n"

    def __enter__(self) -> PostgresCluster:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _ensure_system_user(name: str) -> pwd.struct_passwd:
    """Return the unprivileged system user ``name``, creating it if missing."""
    try:
        return pwd.getpwnam(name)
    except KeyError:
        pass
    result = subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
        capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL,
    )
    try:
        # Another test process may have created it at the same moment: only its absence
        # afterwards is an error.
        user = pwd.getpwnam(name)
    except KeyError:
        raise RuntimeError(f"useradd {name} failed: {result.stderr.strip()}") from None
    log.info("created system user %s to own test PostgreSQL clusters", name)
    return user


def _require_traversable(directory: Path) -> None:
    """Raise unless every directory up to ``directory`` lets other users pass through.

    The cluster's owner is not root, so it must reach its data directory from ``/``.
    """
    for path in [directory, *directory.parents]:
        if not path.stat().st_mode & 0o001:
            raise RuntimeError(
                f"{path} is not traversable by other users, so {TEST_USER} cannot reach "
                f"a PostgreSQL data directory under {directory}; point TMPDIR elsewhere"
            )
