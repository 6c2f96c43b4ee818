"""The clerk panel calling a return-of-results ticket shows which dossier to hand over
(headless Chromium, real hub and Mosquitto, the dossiers of ``tests/support/dossier_hub.py``
in the hub's own database)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from motcua.dispatch import Request
from motcua.domain import Command
from motcua.store import create_database_engine, upgrade
from motcua.store.users import add_user
from tests.support.dossier_hub import READY_CODE, dossier_hub

pytestmark = pytest.mark.slow

WAIT_MS = 15_000
PASSWORD = "mat-khau-rat-dai"


@pytest.fixture
def hub(tmp_path, mosquitto_broker):
    def add_clerk(db_url: str) -> None:
        engine = create_database_engine(db_url)
        upgrade(engine)
        add_user(engine, "van-lam", "canbo5", PASSWORD, display_name="Lê Thu Hà",
                 counters="5")
        engine.dispose()

    with dossier_hub(tmp_path, mosquitto_broker.url(), serve_http=True,
                     before_start=add_clerk) as running:
        yield running


def test_the_clerk_sees_the_dossier_of_the_called_return_ticket(page_factory, hub,
                                                                screens_dir):
    """Given a return-of-results ticket taken at kiosk 1 for a ready dossier,
    when the clerk of counter 5 (Trả kết quả) opens the counter and calls next,
    then the panel shows K001 with the dossier box: its code and Đăng ký kết hôn."""
    taken = hub.dispatcher.execute(Request(
        Command("issue", {"service": "tra-ket-qua", "dossier": READY_CODE}),
        source="kiosk/1", request_id="return-1"))
    assert taken.ok, taken.error
    page = page_factory(1366, 860)
    page.goto(f"http://127.0.0.1:{hub.http_port}/counter/5")
    page.fill("#username", "canbo5")
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("#counter-status.closed", timeout=WAIT_MS)
    expect(page.locator("#current-dossier")).to_be_hidden()

    page.keyboard.press("o")
    page.wait_for_selector("#counter-status.open", timeout=WAIT_MS)
    page.click("#act-call_next")

    expect(page.locator("#current-number")).to_have_text("K001", timeout=WAIT_MS)
    expect(page.locator("#dossier-code")).to_have_text(READY_CODE)
    expect(page.locator("#dossier-procedure")).to_have_text("Đăng ký kết hôn")
    expect(page.locator("#current-dossier .dossier-label")).to_have_text("Trả kết quả hồ sơ")
    page.screenshot(path=str(screens_dir / "clerk-panel-return.png"))
