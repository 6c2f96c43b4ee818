"""Point python-escpos at a stable capabilities cache and load it, before anything
imports escpos.

``escpos.capabilities`` reads ``ESCPOS_CAPABILITIES_PICKLE_DIR`` at import time and,
without it, makes a new temporary directory (mkdtemp) in every process that is never
removed. Importing this module first gives all motcua processes of one user one cache.

A shared cache needs one more thing: when its pickle is missing or older than the JSON,
``escpos.capabilities`` opens the pickle for writing (truncating it) and only then parses
the JSON, about a second; a process that imports escpos meanwhile loads the empty file and
fails with EOFError. Two motcua processes starting together on a fresh install do exactly
that. So this module imports ``escpos.capabilities`` itself under a file lock in the
cache directory: the first process builds the pickle whole, the others wait and load it.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from filelock import FileLock, Timeout

log = logging.getLogger(__name__)
ENV_NAME = "ESCPOS_CAPABILITIES_PICKLE_DIR"
#: Longest wait for another process building the pickle (it takes about a second).
LOCK_TIMEOUT_S = 60


def capabilities_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/motcua/escpos`` (``~/.cache/...``), or a per-user directory
    under the system temp dir when the home directory cannot be written."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    for candidate in (Path(base) / "motcua" / "escpos",
                      Path(tempfile.gettempdir()) / f"motcua-escpos-{os.getuid()}"):
        try:
            candidate.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(candidate, os.W_OK):
            return candidate
    return Path(tempfile.gettempdir())


def load_capabilities(directory: Path) -> None:
    """Import ``escpos.capabilities`` while holding ``directory``'s lock (see above).
    Without a usable lock it imports anyway: a lone process needs none."""
    try:
        with FileLock(str(directory / "capabilities.lock"), timeout=LOCK_TIMEOUT_S):
            import escpos.capabilities  # noqa: F401
    except (OSError, Timeout) as error:
        log.warning("escpos capabilities loaded without the cache lock (%s)", error)
        import escpos.capabilities  # noqa: F401


if ENV_NAME not in os.environ:
    os.environ[ENV_NAME] = str(capabilities_cache_dir())
load_capabilities(Path(os.environ[ENV_NAME]))
