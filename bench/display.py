"""The lobby board: frame render time, call → frame latency, idle CPU and memory.

Four phases, headless (SDL's dummy video driver), one JSON document:

1. render    - full frames of a 1920×1080 board with 30 counters, 7 services and 6 recent
               calls, each frame different (a new call blinking, the clock's second), and
               ticker-only frames (what the loop draws between full frames): p50/p99 ms;
2. call      - through a real Mosquitto and the real hub (in this process, on a 30-counter
               site): a probe sends ``call_next`` for a counter over MQTT; timed from the
               send until the display's model shows the called number at that counter,
               and until a frame showing it has been drawn (the display's loop runs in a
               thread of this process, woken by the feed like in production);
3. idle      - ``motcua display --headless`` as a child process on the same broker and hub,
               nothing happening: its CPU (user + system, % of one core) over the window,
               with the ticker scrolling at the configured rate;
4. memory    - that process's resident memory (VmRSS) at the end of the idle window.

Goals (reported, never enforced): render p99 ≤ 16 ms; call → frame p99 ≤ 200 ms; idle
CPU ≤ 5 % of one core; resident memory ≤ 120 MB.
Usage: ``python bench/display.py [--quick]`` (``--db`` is accepted and ignored: SQLite).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from display.sdl import prepare_sdl  # noqa: E402

prepare_sdl(headless=True)

import pygame  # noqa: E402

from bench import _common as common  # noqa: E402
from display.app import BoardLoop  # noqa: E402
from display.config import DisplayConfig  # noqa: E402
from display.feed import BoardFeed  # noqa: E402
from display.model import BoardModel  # noqa: E402
from display.render import BoardRenderer  # noqa: E402
from display.text import TextCache  # noqa: E402
from motcua.dispatch import Request  # noqa: E402
from motcua.domain import Assignment, Command, CounterSetup, IssuingSession, Service, SiteSetup  # noqa: E402
from motcua.hub import Hub  # noqa: E402
from motcua.hub_config import HubConfig  # noqa: E402
from tests.support.mosquitto import MosquittoBroker  # noqa: E402
from tests.support.mqtt_probe import MqttProbe  # noqa: E402

NAME = "display"
SITE = "bench"
COUNTERS = 30
SIZE = (1920, 1080)
SETTINGS = {
    "full": {"render_frames": 600, "calls": 150, "idle_s": 20.0},
    "quick": {"render_frames": 60, "calls": 15, "idle_s": 3.0},
}
GOALS = {"render_p99_ms": ("<=", 16.0), "call_to_frame_p99_ms": ("<=", 200.0),
         "idle_cpu_percent": ("<=", 5.0), "rss_mb": ("<=", 120.0)}
SERVICES = {
    "dat-dai": ("A", "Đất đai"), "dang-ky-kinh-doanh": ("B", "Đăng ký kinh doanh"),
    "ho-tich": ("C", "Hộ tịch"), "chung-thuc": ("D", "Chứng thực"),
    "lao-dong": ("E", "Lao động – Thương binh và Xã hội"), "xay-dung": ("G", "Xây dựng"),
    "tra-ket-qua": ("K", "Trả kết quả"),
}
VN = dt.timezone(dt.timedelta(hours=7))


def service_of(counter: int) -> str:
    return list(SERVICES)[(counter - 1) % len(SERVICES)]


def bench_setup() -> SiteSetup:
    services = {code: Service(code, prefix, name, name, 10.0)
                for code, (prefix, name) in SERVICES.items()}
    return SiteSetup(
        SITE, "Bench", "Asia/Ho_Chi_Minh", services,
        {n: CounterSetup(n, f"Quầy {n} – {SERVICES[service_of(n)][1]}",
                         (Assignment((service_of(n),)),))
         for n in range(1, COUNTERS + 1)},
        (IssuingSession("all", dt.time(0, 0), dt.time(23, 59, 59), frozenset(range(7))),),
    )


# --------------------------------------------------------------------------- 1. render


def synthetic_board(seq: int) -> dict:
    return {
        "epoch": "bench", "seq": seq, "at": "2026-11-30T09:00:00+07:00",
        "counters": [{"counter": n, "name": f"Quầy {n} – {SERVICES[service_of(n)][1]}",
                      "status": ("open", "open", "open", "paused", "closed")[n % 5],
                      "ticket": f"{SERVICES[service_of(n)][0]}{n:03d}" if n % 5 < 3 else None}
                     for n in range(1, COUNTERS + 1)],
        "services": [{"code": code, "name": name, "waiting": i * 3}
                     for i, (code, (_, name)) in enumerate(SERVICES.items())],
        "recent": [{"ticket": f"A{100 - i:03d}", "counter": i + 1, "service": "dat-dai",
                    "at": "2026-11-30T09:00:00+07:00"} for i in range(6)],
    }


def measure_render(frames: int) -> dict:
    config = DisplayConfig()
    screen = pygame.display.set_mode(SIZE)
    renderer = BoardRenderer(screen, config, TextCache(config.font_path(),
                                                       config.font_path(bold=True)))
    now = [0.0]
    model = BoardModel(lambda: now[0], blink_s=8.0)
    model.update_retained(synthetic_board(1))
    model.set_online(True)
    start = dt.datetime(2026, 11, 30, 9, 0, tzinfo=VN)
    full, ticker = [], []
    for i in range(frames + 10):
        counter = i % COUNTERS + 1
        model.accept_called({"epoch": "bench", "seq": 10 + i, "counter": counter,
                             "ticket": f"A{200 + i:03d}", "service": "dat-dai", "recall": 0,
                             "at": "2026-11-30T09:00:00+07:00"})
        now[0] += 0.37
        begin = time.perf_counter()
        renderer.draw(model.view(), start + dt.timedelta(seconds=i), now[0])
        pygame.display.flip()
        middle = time.perf_counter()
        pygame.display.update(renderer.draw_ticker(now[0] + 0.05))
        end = time.perf_counter()
        if i >= 10:  # the first frames fill the text cache
            full.append(middle - begin)
            ticker.append(end - middle)
    return {"size": list(SIZE), "counters": COUNTERS, "full_frame": common.latency_summary(full),
            "ticker_frame": common.latency_summary(ticker),
            "text_cache": {"hits": renderer.texts.hits, "misses": renderer.texts.misses}}


# --------------------------------------------------------------------------- 2. call


class TimedLoop:
    """The display's loop in a thread, noting when each ticket first shows in the model
    (after the feed's refresh) and in a drawn frame."""

    def __init__(self, loop: BoardLoop) -> None:
        self.loop = loop
        self.shown_in_model: dict[str, float] = {}
        self.shown_in_frame: dict[str, float] = {}
        self.watch: tuple[int, str] | None = None
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop.is_set():
            woken = self.loop.wake.is_set()
            if woken:
                self.loop.wake.clear()
                self.loop.feed.refresh()
                self._note(self.shown_in_model)
                self.loop.wake.set()  # let frame() see it was woken
            self.loop.frame()
            self._note(self.shown_in_frame)
            self.loop.wake.wait(self.loop.sleep_s())

    def _note(self, into: dict[str, float]) -> None:
        watch = self.watch
        if watch is None or watch[1] in into:
            return
        for counter in self.loop.model.view().counters:
            if counter.number == watch[0] and counter.ticket == watch[1]:
                into[watch[1]] = time.perf_counter()


def measure_calls(broker: MosquittoBroker, hub: Hub, calls: int) -> dict:
    config = DisplayConfig()
    screen = pygame.display.set_mode(SIZE)
    wake = threading.Event()
    model = BoardModel(time.monotonic, blink_s=8.0)
    feed = BoardFeed(mqtt_url=broker.url(), site=SITE, display_id="1", model=model,
                     on_change=wake.set)
    timed = TimedLoop(BoardLoop(config, feed, screen, wake=wake))
    feed.start()
    timed.thread.start()
    probe = MqttProbe(broker.url())
    to_model, to_frame, missing = [], [], 0
    try:
        deadline = time.monotonic() + 15
        while not (model.view().online and len(model.view().counters) == COUNTERS):
            if time.monotonic() > deadline:
                raise RuntimeError("the display never got the hub's board")
            time.sleep(0.05)
        root = hub.topics.root
        probe.subscribe(f"{root}/counter/+/reply")
        next_number = {code: 1 for code in SERVICES}
        for i in range(calls):
            counter = i % COUNTERS + 1
            service = service_of(counter)
            # Sequential calls take each service's oldest ticket: the number is known.
            ticket = f"{SERVICES[service][0]}{next_number[service]:03d}"
            next_number[service] += 1
            timed.watch = (counter, ticket)
            time.sleep(0.05)  # calls at a human pace: each one measured on its own
            sent = time.perf_counter()
            reply = probe.request(f"{root}/counter/{counter}/cmd", {"action": "call_next"},
                                  timeout=10)
            if (reply.get("ticket") or {}).get("number") != ticket:
                raise RuntimeError(f"counter {counter} called {reply!r}, not {ticket}")
            end = time.monotonic() + 5
            while ticket not in timed.shown_in_frame and time.monotonic() < end:
                time.sleep(0.001)
            if ticket in timed.shown_in_frame:
                to_model.append(timed.shown_in_model.get(ticket, timed.shown_in_frame[ticket])
                                - sent)
                to_frame.append(timed.shown_in_frame[ticket] - sent)
            else:
                missing += 1
    finally:
        timed.stop.set()
        wake.set()
        timed.thread.join(5)
        probe.close()
        feed.close()
    return {"calls": calls, "missing": missing,
            "call_to_model": common.latency_summary(to_model),
            "call_to_frame": common.latency_summary(to_frame),
            "frames_drawn": timed.loop.frames, "hub_in_this_process": True}


# --------------------------------------------------------------------------- 3-4. idle


def proc_cpu_s(pid: int) -> float:
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def measure_idle(broker: MosquittoBroker, idle_s: float) -> dict:
    env = {key: value for key, value in os.environ.items()
           if key not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(MOTCUA_MQTT_URL=broker.url(), MOTCUA_SITE=SITE,
               PYTHONPATH=str(REPO_ROOT), SDL_VIDEODRIVER="dummy")
    process = subprocess.Popen([sys.executable, "-m", "motcua.cli", "display", "--headless"],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(3.0)  # start-up, the retained board, the first frames
        cpu_before, wall_before = proc_cpu_s(process.pid), time.monotonic()
        time.sleep(idle_s)
        cpu = proc_cpu_s(process.pid) - cpu_before
        wall = time.monotonic() - wall_before
        rss = proc_rss_mb(process.pid)
    finally:
        process.terminate()
        process.wait(20)
    return {"window_s": round(wall, 2), "cpu_s": round(cpu, 3),
            "cpu_percent_of_one_core": round(100 * cpu / wall, 2), "rss_mb": rss,
            "ticker_fps": DisplayConfig().display.fps,
            "cpu_resolution_s": round(1 / os.sysconf("SC_CLK_TCK"), 3)}


# --------------------------------------------------------------------------- main


def main() -> int:
    args = common.argument_parser(__doc__.splitlines()[0]).parse_args()
    mode = "quick" if args.quick else "full"
    settings = SETTINGS[mode]
    pygame.display.init()
    pygame.font.init()
    common.progress(f"render: {settings['render_frames']} frames at 1920×1080, 30 counters")
    render = measure_render(settings["render_frames"])
    with MosquittoBroker(packet_log=False) as broker, tempfile.TemporaryDirectory() as folder:
        config = HubConfig(db_url=f"sqlite:///{folder}/hub.db", mqtt_url=broker.url(),
                           http_port=0, kiosk_issue_per_minute=0)
        hub = Hub(config, serve_http=False, setup=bench_setup()).start()
        try:
            for n in range(1, COUNTERS + 1):
                hub.dispatcher.execute(Request(Command("open", {"clerk": f"cb{n}"}, counter=n),
                                               f"counter/{n}", f"open-{n}"))
            tickets = settings["calls"] // COUNTERS + 2
            for n in range(1, COUNTERS + 1):
                for i in range(tickets):
                    hub.dispatcher.execute(Request(
                        Command("issue", {"service": service_of(n)}), "kiosk/bench",
                        f"t{n}-{i}"))
            hub.publisher.flush(30)
            common.progress(f"call: {settings['calls']} call_next through Mosquitto + hub")
            calls = measure_calls(broker, hub, settings["calls"])
            common.progress(f"idle: motcua display --headless for {settings['idle_s']} s")
            idle = measure_idle(broker, settings["idle_s"])
        finally:
            hub.stop()
    goals = {
        "render_p99_ms": common.goal(render["full_frame"]["p99_ms"], *GOALS["render_p99_ms"]),
        "call_to_frame_p99_ms": common.goal(calls["call_to_frame"]["p99_ms"],
                                            *GOALS["call_to_frame_p99_ms"]),
        "idle_cpu_percent": common.goal(idle["cpu_percent_of_one_core"],
                                        *GOALS["idle_cpu_percent"]),
        "rss_mb": common.goal(idle["rss_mb"], *GOALS["rss_mb"]),
    }
    common.print_goals(NAME, goals)
    common.write_results(NAME, {
        "bench": NAME, "at": common.utc_now_iso(), "machine": common.machine_info(),
        "settings": {"quick": args.quick, **settings, "counters": COUNTERS,
                     "size": list(SIZE)},
        "results": {"render": render, "call": calls, "idle": idle},
        "goals": goals,
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())
