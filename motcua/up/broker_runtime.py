"""A runtime directory for the demo broker's files, one the broker's own user can read.

Why not ``var/broker``: started as root, Mosquitto switches to user ``mosquitto`` before
it opens its password file. A clone in root's home or anywhere under a 0700 directory is
closed to that user, and the demo died with "Unable to open pwfile". So the files
Mosquitto reads (config, passwd, acl) and its persistence go to a fresh directory under
``/run`` (as root; a temporary directory otherwise), made by ``motcua broker init`` with
its usual modes: 0750 and group ``mosquitto``, files 0640, nothing readable by others.
The device passwords stay in ``var/`` (0600), read only by motcua.

Running the broker as root (``user root`` in its config) would also start, but would give
a network-facing daemon root for a demo's convenience: we keep Mosquitto's own account.

The directory lives as long as the run: it is removed on stop, and its path is noted in
``var/run/broker.dir`` so the next run removes one left by a run killed hard. Nothing of
the broker (retained messages included) outlives the demo; the hub republishes its state
at start.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

from motcua.broker import first_closed_parent

log = logging.getLogger(__name__)

#: Every runtime directory's name starts with this; nothing else is ever removed.
PREFIX = "motcua-broker-"
MARKER = "broker.dir"


class RuntimeDirError(RuntimeError):
    """No place the broker's user can read was found for its files."""


def candidate_parents() -> list[Path]:
    """Where a runtime directory may go, best first."""
    if os.geteuid() == 0:
        return [Path("/run"), Path(tempfile.gettempdir()), Path("/tmp")]
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    return [*([Path(runtime)] if runtime else []), Path(tempfile.gettempdir())]


def create(run_dir: Path) -> Path:
    """Make a new private runtime directory for the broker and note it in ``run_dir``.

    Raises:
        RuntimeDirError: no candidate parent is writable and open to the broker's user.
    """
    for parent in candidate_parents():
        if not (parent.is_dir() and os.access(parent, os.W_OK | os.X_OK)):
            continue
        if os.geteuid() == 0 and first_closed_parent(parent / PREFIX) is not None:
            continue
        # mkdtemp makes it 0700 under an unguessable name; init_broker opens it to the
        # broker's group only.
        directory = Path(tempfile.mkdtemp(prefix=PREFIX, dir=parent))
        run_dir.mkdir(parents=True, exist_ok=True)
        (run_dir / MARKER).write_text(f"{directory}\n", encoding="utf-8")
        return directory
    raise RuntimeDirError(
        "no directory for the broker's files that user mosquitto can read (tried "
        + ", ".join(str(p) for p in candidate_parents()) + ")")


def remove(directory: Path, run_dir: Path) -> None:
    """Delete ``directory`` (a runtime directory of ours) and its note in ``run_dir``."""
    if directory.name.startswith(PREFIX):
        shutil.rmtree(directory, ignore_errors=True)
    (run_dir / MARKER).unlink(missing_ok=True)


def remove_stale(run_dir: Path) -> Path | None:
    """Delete the runtime directory an earlier run noted and left behind; return it.

    Call it only once that run's broker is stopped. A note naming anything but one of
    our runtime directories is dropped without touching what it names.
    """
    try:
        noted = Path((run_dir / MARKER).read_text(encoding="utf-8").strip())
    except OSError:
        return None
    if not (noted.is_absolute() and noted.name.startswith(PREFIX)
            and noted.parent in candidate_parents()):
        (run_dir / MARKER).unlink(missing_ok=True)
        return None
    if noted.exists():
        log.warning("removing the broker directory %s of an earlier run", noted)
    remove(noted, run_dir)
    return noted
