"""``motcua counter``: the bridge of one serial bus of counter boxes, and its simulator.

* ``motcua counter --config FILE``: run the bridge until SIGINT/SIGTERM;
* ``motcua counter check-config FILE``: validate a bridge file, print every bad key;
* ``motcua counter simulate [--config FILE] [--script ...]``: simulated boxes on a pty,
  driven from the keyboard or a script; with ``--config`` the bridge runs in the same
  process on that pty, so one command plays a whole counter without hardware.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "counter", help="cầu nối hộp phím quầy (counter bus bridge: boxes, signs, rating pads)",
        description="Bridge one serial bus of counter button boxes, LED signs and rating pads "
        "to the hub over MQTT. Example file: counter_panel/counter.example.toml. Environment "
        "overrides: MOTCUA_MQTT_URL, MOTCUA_SITE, MOTCUA_COUNTER_SERIAL, MOTCUA_COUNTER_BRIDGE, "
        "MOTCUA_BROKER_CREDENTIALS.")
    parser.add_argument("--config", help="bridge TOML file ([bridge], [bus], [[counters]], "
                        "[clerks])")
    parser.set_defaults(handler=run_bridge)
    actions = parser.add_subparsers(dest="counter_command", metavar="ACTION")
    check = actions.add_parser("check-config", help="kiểm tra tệp cấu hình (validate a file)")
    check.add_argument("file", help="bridge TOML file")
    check.set_defaults(handler=check_config)
    simulate = actions.add_parser(
        "simulate", help="hộp phím mô phỏng trên pty (simulated boxes on a pty)",
        description="Simulated button boxes and signs on a pty. Type keys (NEXT, LOGIN 1234, "
        "RATE 3, TRANSFER 2, wait 1, @3 NEXT) or pass --script; every change of a sign is "
        "printed.")
    simulate.add_argument("--config", help="also run the bridge of this file on the pty")
    simulate.add_argument("--link", type=Path, default=Path("var/counter/sim-bus"),
                          help="symlink kept pointing at the pty (what a bridge opens)")
    simulate.add_argument("--address", type=int, action="append",
                          help="box address (repeatable; default: the config's, else 1)")
    simulate.add_argument("--script", help='steps, e.g. "LOGIN 1234; NEXT; wait 1; FINISH"')
    simulate.add_argument("--script-file", type=Path, help="file of steps, one per line")
    simulate.add_argument("--keys-fifo", type=Path,
                          help="also read keys from this named pipe (created if missing): "
                          "echo '@2 NEXT' > PATH presses NEXT on box 02 from any terminal")
    simulate.add_argument("--linger", type=float, default=2.0,
                          help="seconds to keep showing the signs after a script (default 2); "
                          "with --keys-fifo the simulator runs on until SIGINT/SIGTERM")
    simulate.set_defaults(handler=run_simulator)


def _load(path):
    from counter_panel.config import CounterConfigError, load_counter_config

    try:
        return load_counter_config(path)
    except CounterConfigError as exc:
        print(f"cấu hình sai / invalid configuration: {exc}", file=sys.stderr)
        return None


def check_config(args: argparse.Namespace) -> int:
    config = _load(args.file)
    if config is None:
        return 2
    print(f"{args.file}: hợp lệ / valid (bridge {config.bridge.id}, site {config.bridge.site}, "
          f"bus {config.bus.serial}, {len(config.counters)} counter(s), "
          f"{len(config.clerks)} clerk code(s))")
    return 0


def _wait_for_signal() -> None:
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    stop.wait()


def run_bridge(args: argparse.Namespace) -> int:
    from counter_panel.bridge import BridgeError, CounterBridge

    config = _load(args.config)
    if config is None:
        return 2
    try:
        bridge = CounterBridge(config)
    except BridgeError as exc:
        log.error("%s", exc)
        return 2
    from counter_panel.keypad import KeypadUnavailable

    try:
        bridge.start()
    except KeypadUnavailable as exc:
        log.error("%s", exc)
        bridge.close()
        return 2
    print(f"motcua counter {config.bridge.id}: bus {config.bus.serial}, counters "
          f"{', '.join(str(c.counter) for c in config.counters)}, MQTT root "
          f"motcua/v1/{config.bridge.site}", flush=True)
    try:
        _wait_for_signal()
    finally:
        log.info("stopping")
        bridge.close()
    return 0


def run_simulator(args: argparse.Namespace) -> int:
    from counter_panel.bridge import BridgeError, CounterBridge
    from counter_panel.messages import say
    from counter_panel.simulator import SimulatedBus, parse_script, run_script

    config = _load(args.config) if args.config else None
    if args.config and config is None:
        return 2
    addresses = args.address or ([c.address for c in config.counters] if config else [1])
    try:
        steps = None
        if args.script_file:
            steps = parse_script(args.script_file.read_text(encoding="utf-8"))
        elif args.script:
            steps = parse_script(args.script)
    except (OSError, ValueError) as exc:
        print(say("bad_step", step=args.script or args.script_file, error=exc), file=sys.stderr)
        return 2

    def show(address, view) -> None:
        print(say("sign_line", address=address, vi=view.describe(), en=view.describe("en")),
              flush=True)

    bus = SimulatedBus(addresses, link=args.link, on_sign=show)
    bridge = None
    with bus:
        print(say("bus_ready", path=bus.path, addresses=", ".join(f"{a:02d}" for a in addresses)),
              flush=True)
        if config is not None:
            try:
                bridge = CounterBridge(config, serial_url=bus.path).start()
            except BridgeError as exc:
                log.error("%s", exc)
                return 2
        try:
            if args.keys_fifo is not None:
                _start_fifo_reader(bus, args.keys_fifo)
            if steps is not None:
                run_script(bus, steps)
                if args.keys_fifo is not None:
                    _wait_for_signal()  # a start-up script, then keys from the pipe
                else:
                    threading.Event().wait(args.linger)
            else:
                _keyboard(bus)
        except KeyboardInterrupt:
            pass
        finally:
            if bridge is not None:
                bridge.close()
    return 0


def _run_line(bus, line: str) -> None:
    from counter_panel.messages import say
    from counter_panel.simulator import parse_script, run_script

    try:
        run_script(bus, parse_script(line))
    except ValueError as exc:
        print(say("bad_step", step=line.strip(), error=exc), flush=True)


def _start_fifo_reader(bus, path: Path) -> None:
    """Read steps from the named pipe ``path`` on a thread, reopening it after each writer."""
    import os
    import stat

    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and not stat.S_ISFIFO(path.stat().st_mode):
        path.unlink()
    if not path.exists():
        os.mkfifo(path, 0o600)

    def read_forever() -> None:
        while True:
            with open(path, encoding="utf-8", errors="replace") as pipe:  # waits for a writer
                for line in pipe:
                    _run_line(bus, line)

    threading.Thread(target=read_forever, name="keys-fifo", daemon=True).start()


def _keyboard(bus) -> None:
    from counter_panel.messages import say

    print(say("help"), flush=True)
    while line := sys.stdin.readline():
        if line.strip().lower() in ("quit", "q"):
            return
        _run_line(bus, line)
    # stdin ended (make run without a terminal): keep the boxes running until a signal.
    _wait_for_signal()
