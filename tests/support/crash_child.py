"""A hub stand-in for the crash test: issues, calls and finishes until killed.

Prints one JSON line per result, flushed, only after the dispatcher returned it, so
everything printed is something a device would have been told.
"""

from __future__ import annotations

import itertools
import json
import sys

from motcua.dispatch import Dispatcher, Request
from motcua.domain import Command
from motcua.store import open_site_store
from motcua.dispatch import utc_now
from tests.support.sites import small_setup


def main(url: str) -> None:
    store = open_site_store(url, small_setup(counters=3, all_day=True), utc_now())
    dispatcher = Dispatcher(store).start()
    for n in (1, 2, 3):
        dispatcher.execute(Request(Command("open", {"clerk": f"cb{n}"}, counter=n),
                                   f"counter/{n}", f"open-{n}"))
    print(json.dumps({"ready": True}), flush=True)
    services = itertools.cycle(["dat-dai", "ho-tich", "chung-thuc"])
    for i in itertools.count():
        if i % 3 == 2:
            counter = i % 3 + 1
            request = Request(Command("call_next", counter=counter), f"counter/{counter}", f"c{i}")
        else:
            request = Request(Command("issue", {"service": next(services)}), "kiosk/1", f"i{i}")
        result = dispatcher.execute(request)
        print(json.dumps({"source": request.source, **result.reply()}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
