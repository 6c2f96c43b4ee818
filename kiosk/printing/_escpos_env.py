"""Point python-escpos at a stable capabilities cache before anything imports it.

``escpos.capabilities`` reads ``ESCPOS_CAPABILITIES_PICKLE_DIR`` at import time and,
without it, makes a new temporary directory (mkdtemp) in every process that is never
removed. Importing this module first gives all motcua processes of one user one cache.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

ENV_NAME = "ESCPOS_CAPABILITIES_PICKLE_DIR"


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


if ENV_NAME not in os.environ:
    os.environ[ENV_NAME] = str(capabilities_cache_dir())
