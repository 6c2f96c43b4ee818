"""Every word the clerk panel shows is in its catalog, in Vietnamese and English."""

from __future__ import annotations

import re
from pathlib import Path

from motcua.server.clerk_text import TEXTS, catalog, text

SERVER = Path(__file__).resolve().parents[2] / "motcua" / "server"


def used_keys() -> set[str]:
    """Keys the templates and clerk.js ask for (literal keys only; ``action.`` + name,
    ``status.`` + status, ``ticket.`` + status and ``rating.`` + level are listed)."""
    sources = [SERVER / "static" / "clerk.js",
               *sorted((SERVER / "templates").glob("clerk*.html"))]
    keys: set[str] = set()
    for path in sources:
        source = path.read_text(encoding="utf-8")
        keys |= set(re.findall(r'\bt\(\s*"([a-z_.0-9]+)"\s*[,)]', source))
        keys |= set(re.findall(r'data-text="([a-z_.0-9]+)"', source))
    actions = ("call_next", "recall", "start", "finish", "no_show", "hold", "call",
               "transfer", "walk_in", "set_priority", "pause", "resume", "open", "close")
    keys |= {f"action.{name}" for name in actions}
    keys |= {f"status.{name}" for name in ("open", "paused", "closed")}
    keys |= {f"ticket.{name}" for name in ("called", "serving")}
    keys |= {f"rating.{level}" for level in (1, 2, 3)}
    return keys


def test_every_key_the_panel_uses_is_in_the_catalog():
    """Given the panel's templates and script, then every key they use has a Vietnamese
    and an English text, neither empty."""
    used = used_keys()
    missing = sorted(key for key in used if key not in TEXTS)

    # The scan itself works: keys of the login page, the script and the data-text labels.
    assert {"login.title", "called", "rated", "network_error", "waiting_now"} <= used
    assert missing == []
    assert all(vi.strip() and en.strip() for vi, en in TEXTS.values())


def test_the_catalog_is_vietnamese_first_with_diacritics():
    """Given the catalog, then the default language is Vietnamese with its diacritics, and
    the browser's copy carries both languages."""
    assert text("action.call_next") == "Gọi số tiếp"
    assert text("action.call_next", "en") == "Call next"
    assert text("forbidden_body", username="canbo1", counter=3) == (
        "Tài khoản canbo1 không được thao tác quầy 3.")
    assert catalog()["vi"]["rating.3"] == "Rất hài lòng"
    assert catalog()["en"]["rating.1"] == "Unsatisfied"
