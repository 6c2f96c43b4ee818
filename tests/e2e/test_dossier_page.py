"""The public dossier lookup page in headless Chromium, against a real hub over HTTP.

A citizen's phone (390×844) opens ``/tra-cuu``, types the code from the appointment slip
as a keyboard-wedge scanner would (characters, then Enter) and reads the timeline. The
hub reads the dossiers of ``tests/support/dossier_hub.py`` from its own database.
With ``MOTCUA_UPDATE_SCREENS=1`` the screenshots go to ``docs/screens/``.
"""

from __future__ import annotations

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails in CI) with the reason
    expect = None

from tests.support.dossier_hub import FULL_NAME, LATE_CODE, READY_CODE, dossier_hub

PHONE = (390, 844)


@pytest.fixture
def hub(tmp_path, mosquitto_broker):
    with dossier_hub(tmp_path, mosquitto_broker.url(), serve_http=True) as running:
        yield running


def open_form(hub, page_factory):
    page = page_factory(*PHONE)
    page.goto(f"http://127.0.0.1:{hub.http_port}/tra-cuu")
    return page


def test_a_typed_code_shows_the_timeline_masked(hub, page_factory, screens_dir):
    """Given the lookup form on a phone,
    when the code of a late dossier is typed in lower case and Enter pressed,
    then the page shows the canonical code, Quá hạn with the apology, the first date
    (09/11, 5 working days from 02/11) and the new one, and the four steps of the
    timeline in order; the applicant is masked and the full name
    appears nowhere on the page."""
    page = open_form(hub, page_factory)
    page.locator("#code").click()
    page.keyboard.type(LATE_CODE.lower())
    page.keyboard.press("Enter")

    expect(page.locator("#dossier-code")).to_have_text(LATE_CODE)
    expect(page.locator("#lateness")).to_have_text("Quá hạn")
    expect(page.locator("#apology-reason")).to_have_text("Lý do: Chờ ý kiến của Sở Tư pháp")
    expect(page.locator("#appointment")).to_have_text("09/11/2026")
    expect(page.locator("#new-appointment")).to_have_text("27/11/2026")
    expect(page.locator("#timeline li .label")).to_have_text(
        ["Được tiếp nhận", "Đang xử lý", "Yêu cầu bổ sung giấy tờ", "Đang xử lý"])
    expect(page.locator("#timeline li time")).to_have_text(
        ["02/11/2026 09:00", "03/11/2026 09:00", "06/11/2026 09:00", "09/11/2026 09:00"])
    expect(page.locator("#applicant")).to_have_text("Nguyễn V. A.")
    assert FULL_NAME not in page.content()
    assert page.url.endswith(f"/tra-cuu?ma={LATE_CODE.lower()}")
    page.screenshot(path=str(screens_dir / "dossier-lookup-late.png"), full_page=True)


def test_a_ready_dossier_in_english(hub, page_factory, screens_dir):
    """Given the form switched to English,
    when the code of a ready dossier is typed,
    then the status reads Ready for return, ahead of schedule, with the return hint."""
    page = open_form(hub, page_factory)
    page.locator("#language").click()
    expect(page.locator("h1")).to_have_text("Dossier lookup")
    page.locator("#code").fill(READY_CODE)
    page.locator("#submit").click()

    expect(page.locator("#status")).to_have_text("Ready for return")
    expect(page.locator("#lateness")).to_have_text("Ahead of schedule")
    expect(page.locator("#ready")).to_contain_text("Your result is ready.")
    page.screenshot(path=str(screens_dir / "dossier-lookup-ready-en.png"), full_page=True)


def test_an_unknown_code_gets_a_calm_message(hub, page_factory, screens_dir):
    """Given the form,
    when a well-formed code nobody stored is typed,
    then the page says the dossier was not found, naming the code, and keeps the form."""
    page = open_form(hub, page_factory)
    page.locator("#code").fill("000.00.12.H42-261120-0999")
    page.keyboard.press("Enter")

    expect(page.locator("#refusal h2")).to_have_text("Không tìm thấy hồ sơ")
    expect(page.locator("#refusal-message")).to_contain_text("000.00.12.H42-261120-0999")
    expect(page.locator("#code")).to_have_value("000.00.12.H42-261120-0999")
    page.screenshot(path=str(screens_dir / "dossier-lookup-not-found.png"), full_page=True)
