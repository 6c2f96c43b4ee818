"""Clerk panel clicks through the real chain: Chromium → hub HTTP → dispatcher → commit
→ server-sent event → the panel re-rendered.

A real hub (SQLite, the demo's all-day session) with a real Mosquitto serves the panel
of counter 1 to headless Chromium (Debian's ``chromium`` driven by Playwright), logged in
as a clerk. Each sample is one click of "Gọi số tiếp" timed inside the page, from the
click to the moment the current number on the panel changes (a MutationObserver): the
request, the durable commit, the commit feed waking the panel's stream, the committed
snapshot read, the event and the render. Clicks are one at a time, as at one desk.

Goal (chosen here, the issue gives none): click → panel updated p99 ≤ 100 ms on
loopback, about the limit under which a clerk perceives the panel as instant.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from bench import _common as common  # noqa: E402
from motcua.dispatch import Request  # noqa: E402
from motcua.domain import Command  # noqa: E402
from motcua.hub import Hub  # noqa: E402
from motcua.hub_config import HubConfig  # noqa: E402
from motcua.site_config import example_config_path  # noqa: E402
from motcua.store import create_database_engine, upgrade  # noqa: E402
from motcua.store.users import add_user  # noqa: E402
from motcua.up.demo import demo_site_text  # noqa: E402
from tests.e2e.conftest import CHROMIUM_ARGS, chromium_path  # noqa: E402
from tests.support.mosquitto import MosquittoBroker  # noqa: E402

NAME = "clerk_panel"
#: Counter 1 serves đất đai, capped at 200 numbers a day in the example centre.
SETTINGS = {"full": {"clicks": 180, "warmup": 10}, "quick": {"clicks": 10, "warmup": 2}}
PASSWORD = "bench-password-1"
#: Pause between clicks: past the panel's double-click window (400 ms in clerk.js), in
#: which a second click of the same action reuses the first one's request id.
CLICK_GAP_MS = 450
#: One click of call_next, timed in the page until #current-number shows another number.
CLICK_AND_WAIT = """
() => new Promise((resolve, reject) => {
  const number = document.getElementById("current-number");
  const before = number.textContent;
  const started = performance.now();
  const timer = setTimeout(() => reject(new Error("panel not updated")), 10000);
  const observer = new MutationObserver(() => {
    if (number.textContent !== before) {
      observer.disconnect();
      clearTimeout(timer);
      resolve({ms: performance.now() - started, number: number.textContent});
    }
  });
  observer.observe(number, {childList: true, characterData: true, subtree: true});
  document.getElementById("act-call_next").click();
})
"""


def issue(hub: Hub, count: int) -> None:
    for _ in range(count):
        result = hub.dispatcher.execute(Request(Command(
            "issue", {"service": "dat-dai", "priority": "normal"})))
        if not result.ok:
            raise RuntimeError(f"issue refused: {result.error}")


def measure(settings: dict) -> dict:
    from playwright.sync_api import sync_playwright

    browser_path = chromium_path()
    if browser_path is None:
        raise SystemExit("chromium is not installed (Debian package chromium)")
    with tempfile.TemporaryDirectory(prefix="motcua-bench-panel-") as directory, \
            MosquittoBroker(packet_log=False) as broker:
        work = Path(directory)
        site = work / "site.toml"
        site.write_text(demo_site_text(example_config_path().read_text(encoding="utf-8")),
                        encoding="utf-8")
        db_url = f"sqlite:///{work / 'hub.db'}"
        engine = create_database_engine(db_url)
        upgrade(engine)
        add_user(engine, "van-lam", "canbo1", PASSWORD, display_name="Bench", counters="1")
        engine.dispose()
        config = HubConfig(db_url=db_url, mqtt_url=broker.url(), site_config=site,
                           http_port=0, kiosk_issue_per_minute=0)
        hub = Hub(config).start()
        try:
            issue(hub, settings["clicks"] + settings["warmup"] + 1)
            url = f"http://127.0.0.1:{hub.http_port}"
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=browser_path,
                                                     headless=True, args=CHROMIUM_ARGS)
                # The panel's CSP forbids eval; the timing script is the bench's own.
                page = browser.new_context(viewport={"width": 1366, "height": 860},
                                           bypass_csp=True).new_page()
                page.goto(f"{url}/counter/1")
                page.fill("#username", "canbo1")
                page.fill("#password", PASSWORD)
                page.click("#login-submit")
                page.wait_for_selector("#counter-status.closed", timeout=15000)
                page.click("#act-open")
                page.wait_for_selector("#counter-status.open", timeout=15000)
                for _ in range(settings["warmup"]):
                    page.evaluate(CLICK_AND_WAIT)
                    page.wait_for_timeout(CLICK_GAP_MS)
                common.progress(f"{settings['clicks']} clicks of call_next, one at a time")
                durations, numbers = [], []
                for _ in range(settings["clicks"]):
                    sample = page.evaluate(CLICK_AND_WAIT)
                    durations.append(sample["ms"] / 1000.0)
                    numbers.append(sample["number"])
                    page.wait_for_timeout(CLICK_GAP_MS)
                browser.close()
        finally:
            hub.stop()
    latency = common.latency_summary(durations)
    return {
        "click_to_panel_updated": latency,
        "distinct_numbers": len(set(numbers)),
        "goals": {
            "click_to_panel_p99_ms": common.goal(latency["p99_ms"], "<=", 100),
            "every_click_called_a_new_number": common.goal(
                settings["clicks"] - len(set(numbers)), "<=", 0),
        },
    }


def main() -> int:
    return common.run_single_database(NAME, __doc__.splitlines()[0], SETTINGS, measure)


if __name__ == "__main__":
    sys.exit(main())
