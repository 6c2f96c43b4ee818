"""Headless Chromium for the web-page tests, driven by Playwright.

Playwright drives Debian's ``chromium`` (``executable_path``), never a browser of its own
download. One browser runs for the session; each test gets a fresh context (no shared
cookies or storage) and closes it. A missing chromium skips on a developer machine and
fails with CI=true, like every other missing dependency.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import missing_dependency
from tests.support.mqtt_probe import MqttProbe

#: Where the committed screenshots live; tests write there only with MOTCUA_UPDATE_SCREENS.
SCREENS = Path(__file__).resolve().parents[2] / "docs" / "screens"

#: Flags the machine needs: no sandbox as root, and no background connections, which this
#: closed network refuses many at a time.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator["object"]:
    path = chromium_path()
    if path is None:
        missing_dependency("chromium is not installed (Debian package chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:  # pragma: no cover - the test extra installs it
        missing_dependency(f"playwright is not installed: {error}")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, headless=True,
                                              args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page_factory(browser) -> Iterator["object"]:
    """``page_factory(width, height)`` → a page in a fresh context of that viewport."""
    contexts = []

    def make(width: int = 1080, height: int = 1920, **options):
        context = browser.new_context(viewport={"width": width, "height": height}, **options)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def devices(hub, mosquitto_broker):
    """A probe that sends kiosk and counter commands to the test's ``hub`` and waits for
    their replies (it sees the whole site)."""
    probe = MqttProbe(mosquitto_broker.url())
    probe.subscribe(hub.topics.site_filter())
    yield probe
    probe.close()


@pytest.fixture
def screens_dir(tmp_path) -> Path:
    """docs/screens with MOTCUA_UPDATE_SCREENS set (refreshing the committed screenshots),
    else a temporary folder."""
    if os.environ.get("MOTCUA_UPDATE_SCREENS"):
        SCREENS.mkdir(parents=True, exist_ok=True)
        return SCREENS
    return tmp_path
