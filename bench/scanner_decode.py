"""pyzbar decode time per 640×480 camera frame, for the kiosk's camera scanner.

Frames are made here (``tests/support/slip_frames.py``): a grey desk with a slip whose
Code 128 barcode (python-barcode) or QR code (segno) holds a dossier code, straight and
tilted, plus frames with no code at all (what a camera sees most of the time). Each frame
is decoded by the kiosk's own decoder (:func:`kiosk.scanning.camera.zbar_decoder`: Code
128, Code 39 and QR) at the default scan density (2: every other row and column) and at
density 1 (every row, pyzbar's own ``decode``), and every decode must give back the code.
Wall time and thread CPU time are reported per kind of frame; the goal is judged on the
default density's wall-clock median.

Goal: median decode ≤ 15 ms per 640×480 frame. The ``--db`` flag of every bench is
accepted and ignored (no database here).
"""

from __future__ import annotations

import time
from typing import Any

from _common import (
    argument_parser, goal, latency_summary, load_average, machine_info, print_goals,
    progress, utc_now_iso, write_results)

from kiosk.scanning.camera import zbar_decoder
from tests.support.slip_frames import FRAME_SIZE, slip_frame

NAME = "scanner_decode"
MEDIAN_GOAL_MS = 15.0
CODE = "000.00.12.H42-261110-0012"
#: (name, symbology or None for an empty slip, tilt in degrees)
FRAME_KINDS = (("code128", "code128", 0.0), ("code128_tilted", "code128", 5.0),
               ("qr", "qr", 0.0), ("qr_tilted", "qr", 5.0), ("no_code", None, 0.0))
DISTINCT_FRAMES = 4  # noise seeds per kind: the decoder never sees one frame only


def measure(decode, kind: tuple[str, str | None, float], iterations: int) -> dict[str, Any]:
    name, symbology, angle = kind
    frames = [slip_frame(CODE if symbology else None, symbology or "code128", seed=seed,
                         angle=angle) for seed in range(DISTINCT_FRAMES)]
    expected = [CODE] if symbology else []
    wall, cpu, misses = [], [], 0
    decode(frames[0])  # warm-up: the first call loads the decoder's tables
    for index in range(iterations):
        frame = frames[index % len(frames)]
        started, started_cpu = time.perf_counter(), time.thread_time()
        found = decode(frame)
        wall.append(time.perf_counter() - started)
        cpu.append(time.thread_time() - started_cpu)
        misses += found != expected
    return {"symbology": symbology, "tilt_deg": angle, "decode": latency_summary(wall),
            "decode_cpu": latency_summary(cpu), "misread_or_missed": misses}


def main() -> int:
    args = argument_parser(__doc__.splitlines()[0]).parse_args()
    iterations = 10 if args.quick else 300
    decoders = {"density_2": zbar_decoder(2), "density_1": zbar_decoder(1)}
    document: dict[str, Any] = {
        "bench": NAME,
        "started_at": utc_now_iso(),
        "settings": {"quick": args.quick, "iterations_per_kind": iterations,
                     "frame_size": list(FRAME_SIZE), "code": CODE},
        "machine": machine_info(),
        "results": {},
        "goals": {},
    }
    for density, decode in decoders.items():
        document["results"][density] = {}
        for kind in FRAME_KINDS:
            progress(f"{density} {kind[0]}: {iterations} frames")
            figures = measure(decode, kind, iterations)
            document["results"][density][kind[0]] = figures
            document["goals"][f"{density}_{kind[0]}_all_read"] = goal(
                figures["misread_or_missed"], "<=", 0)
            if density == "density_2":
                document["goals"][f"{kind[0]}_median_ms"] = goal(
                    figures["decode"]["p50_ms"], "<=", MEDIAN_GOAL_MS)
    document["machine"]["load_average_at_end"] = load_average()
    write_results(NAME, document)
    print_goals(NAME, document["goals"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
