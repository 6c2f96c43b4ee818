"""Announcer bench: call -> first audio sample queued, assembly time, clip library size.

Calls go through the real :class:`display.announcer.Announcer` with the real clip library
(the committed ``sounds/vi`` voice) and the ``wav`` sink (what a board without a sound card
and ``make run`` use). For each call, submitted on an idle queue:

* ``call_to_first_sample``: from ``submit()`` to the sink starting to queue the first
  sample (goal p99 <= 200 ms; the hub-to-display hop is measured by the display bench);
* ``assembly``: building the PCM of chime + phrase x repeats from the clips.

Then a burst of 20 calls in one second: they must all be written, in order.
``--db`` is accepted for uniformity with the other benches and ignored.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import threading
import time
from pathlib import Path

from _common import (
    argument_parser,
    goal,
    latency_summary,
    machine_info,
    print_goals,
    progress,
    utc_now_iso,
    write_results,
)

from display.announcer import Announcer, AnnouncerEvent, CallAnnouncement
from display.audio import WavSink
from motcua.speech.sound import AnnouncementBuilder, ClipLibrary

GOAL_P99_MS = 200.0


def _tickets(count: int) -> list[tuple[str, int]]:
    """A spread of tickets (1- to 4-digit readings) and counters 1..30."""
    return [(f"{'ABCD'[i % 4]}{(i * 37) % 1200 + 1:03d}", i % 30 + 1) for i in range(count)]


def measure_latency(builder: AnnouncementBuilder, directory: Path, calls: int) -> dict:
    events: list[AnnouncerEvent] = []
    played = threading.Semaphore(0)

    def record(event: AnnouncerEvent) -> None:
        events.append(event)
        played.release()

    announcer = Announcer(WavSink(directory), builder=builder, on_event=record)
    try:
        for ticket, counter in _tickets(calls):
            announcer.submit(CallAnnouncement(ticket, counter, 0,
                                              dt.datetime.now(dt.timezone.utc)))
            if not played.acquire(timeout=10):
                raise RuntimeError(f"call {ticket} was not announced within 10 s")
    finally:
        announcer.close()
    kinds = {event.kind for event in events}
    if kinds != {"played"}:
        raise RuntimeError(f"unexpected announcer events: {kinds}")
    durations = [event.utterance.duration_s for event in events]
    return {
        "calls": len(events),
        "call_to_first_sample": latency_summary(
            [event.report.started - event.submitted for event in events]),
        "assembly": latency_summary([event.assembly_s for event in events]),
        "announcement_s": {"min": round(min(durations), 2), "max": round(max(durations), 2)},
        "fallbacks": sum(1 for event in events if event.utterance.fallback),
    }


def measure_burst(builder: AnnouncementBuilder, directory: Path, calls: int = 20) -> dict:
    events: list[AnnouncerEvent] = []
    announcer = Announcer(WavSink(directory), builder=builder, on_event=events.append)
    tickets = [f"B{number:03d}" for number in range(1, calls + 1)]
    began = time.perf_counter()
    try:
        for index, ticket in enumerate(tickets):
            announcer.submit(CallAnnouncement(ticket, index % 5 + 1, 0,
                                              dt.datetime.now(dt.timezone.utc)))
            time.sleep(1.0 / calls)  # the burst is spread over one second
        announcer.wait_idle(60)
        drained_s = time.perf_counter() - began
    finally:
        announcer.close()
    return {
        "calls": calls,
        "played": sum(1 for event in events if event.kind == "played"),
        "in_order": [event.call.ticket for event in events] == tickets,
        "files": len(list(directory.glob("*.wav"))),
        "drained_s": round(drained_s, 3),
    }


def main() -> None:
    args = argument_parser(__doc__.splitlines()[0]).parse_args()
    calls = 20 if args.quick else 300
    progress("loading the clip library")
    library = ClipLibrary.open()
    began = time.perf_counter()
    missing = library.preload()
    load_s = time.perf_counter() - began
    builder = AnnouncementBuilder(library)
    clip_seconds = sum(library.clip(name).size for name in library.manifest.clips
                       if library.clip(name) is not None) / library.sample_rate
    with tempfile.TemporaryDirectory(prefix="motcua-bench-announce-") as temp:
        progress(f"{calls} calls one at a time through the announcer (wav sink)")
        latency = measure_latency(builder, Path(temp) / "latency", calls)
        progress("a burst of 20 calls in one second")
        burst = measure_burst(builder, Path(temp) / "burst")
    p99 = latency["call_to_first_sample"]["p99_ms"]
    goals = {"call_to_first_sample_p99_ms": goal(p99, "<=", GOAL_P99_MS)}
    document = {
        "bench": "announce",
        "at": utc_now_iso(),
        "settings": {"quick": args.quick, "calls": calls, "sink": "wav", "repeats": 2,
                     "voice": library.voice_dir.name},
        "machine": machine_info(),
        "library": {
            "clips": len(library.manifest.clips),
            "missing": missing,
            "size_kb": round(library.size_bytes() / 1024, 1),
            "audio_s": round(clip_seconds, 2),
            "load_ms": round(load_s * 1000, 1),
            "sample_rate": library.sample_rate,
        },
        "results": {"latency": latency, "burst": burst},
        "goals": goals,
    }
    print_goals("announce", goals)
    write_results("announce", document)


if __name__ == "__main__":
    main()
