"""Ticket rendering per printer profile: time, bytes, and the time those bytes take on a
serial line.

For each profile in ``printer_profiles/``: the render time of a ticket (layout, raster
lines, ESC/POS encoding; no device) over a stream of tickets whose number, time, counts
and QR URL change like a day's (the center and service lines repeat, as they do at a
kiosk), the first (cold) render apart; the bytes of the sample ticket; and the implied
wire time at 9600 and 115200 baud (8N1: 10 bits per byte).

Also, for the kiosk's default (``generic-80mm`` on the ``dummy`` transport), the time of
a whole ``print_ticket``: render, ``{number}.bin`` and the ``{number}.png`` preview
written to a temporary directory.

Goals: render p99 ≤ 30 ms on every profile; ≤ 16 KB per ticket on 80 mm paper.
The ``--db`` flag of every bench is accepted and ignored (no database here).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import (
    argument_parser, goal, latency_summary, load_average, machine_info, print_goals,
    progress, utc_now_iso, write_results)

from kiosk.printing import (
    PrinterSettings, TicketRenderer, list_profiles, open_printer, sample_ticket)
from kiosk.printing.samples import SAMPLE_TZ

NAME = "ticket_print"
RENDER_P99_GOAL_MS = 30.0
BYTES_GOAL_80MM = 16 * 1024
BAUD_RATES = (9600, 115200)
#: Paper at least this wide (in mm) is "80 mm" paper (72 mm printable).
EIGHTY_MM_PRINTABLE = 70.0


def ticket_stream(count: int):
    """``count`` tickets of one morning: numbers, minutes, queue and URL change."""
    base = sample_ticket()
    for index in range(count):
        yield dataclasses.replace(
            base, number=f"A{index % 1000:03d}",
            issued_at=base.issued_at + dt.timedelta(minutes=index),
            waiting_ahead=index % 40, est_wait_s=(index % 40) * 95,
            url=f"{base.url[:-4]}{index:04d}")


def measure_profile(profile, iterations: int) -> dict[str, Any]:
    renderer = TicketRenderer(profile, SAMPLE_TZ)
    started = time.perf_counter()
    sample_bytes = len(renderer.ticket_bytes(sample_ticket()))
    cold_ms = round((time.perf_counter() - started) * 1000.0, 3)
    durations, cpu, sizes = [], [], []
    for ticket in ticket_stream(iterations):
        started, started_cpu = time.perf_counter(), time.thread_time()
        data = renderer.ticket_bytes(ticket)
        durations.append(time.perf_counter() - started)
        cpu.append(time.thread_time() - started_cpu)
        sizes.append(len(data))
    return {
        "width_dots": profile.width_dots,
        "width_mm": profile.width_mm,
        "vietnamese": profile.vietnamese,
        "native_qr": profile.native_qr,
        "cold_render_ms": cold_ms,
        "render": latency_summary(durations),
        # CPU time of the rendering thread: the same work without the waits for a core
        # that other processes on a busy machine add to the wall-clock tail
        "render_cpu": latency_summary(cpu),
        "bytes_sample_ticket": sample_bytes,
        "bytes_max": max(sizes),
        "wire_s": {str(baud): round(sample_bytes * 10 / baud, 3) for baud in BAUD_RATES},
        "wire_s_max": {str(baud): round(max(sizes) * 10 / baud, 3) for baud in BAUD_RATES},
    }


def measure_dummy_print(iterations: int) -> dict[str, Any]:
    """``print_ticket`` on the dummy printer, files included."""
    with tempfile.TemporaryDirectory(prefix="motcua-bench-tickets-") as directory:
        printer = open_printer(PrinterSettings(profile="generic-80mm", transport="dummy",
                                               output_dir=Path(directory),
                                               timezone="Asia/Ho_Chi_Minh"),
                               base_dir=Path(directory))
        durations, printed = [], 0
        for ticket in ticket_stream(iterations):
            started = time.perf_counter()
            result = printer.print_ticket(ticket)
            durations.append(time.perf_counter() - started)
            printed += result.printed
    return {"profile": "generic-80mm", "printed": printed,
            "print_ticket": latency_summary(durations)}


def main() -> int:
    args = argument_parser(__doc__.splitlines()[0]).parse_args()
    iterations = 30 if args.quick else 500
    document: dict[str, Any] = {
        "bench": NAME,
        "started_at": utc_now_iso(),
        "settings": {"quick": args.quick, "iterations": iterations,
                     "baud_rates": list(BAUD_RATES), "bits_per_byte": 10},
        "machine": machine_info(),
        "results": {},
        "goals": {},
    }
    for profile in list_profiles():
        progress(f"{profile.name}: {iterations} tickets")
        figures = measure_profile(profile, iterations)
        document["results"][profile.name] = figures
        document["goals"][f"{profile.name}_render_p99_ms"] = goal(
            figures["render"]["p99_ms"], "<=", RENDER_P99_GOAL_MS)
        if profile.width_mm >= EIGHTY_MM_PRINTABLE:
            document["goals"][f"{profile.name}_bytes_per_ticket"] = goal(
                figures["bytes_max"], "<=", BYTES_GOAL_80MM)
    progress(f"dummy printer: {iterations} tickets written with their previews")
    document["dummy_print"] = measure_dummy_print(iterations)
    document["machine"]["load_average_at_end"] = load_average()
    write_results(NAME, document)
    print_goals(NAME, document["goals"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
