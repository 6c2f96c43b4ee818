"""``motcua display``: run the lobby board (pygame) until closed, SIGINT or SIGTERM.

Without a screen it runs headless (SDL's dummy driver). ``--screenshot FILE`` writes one
frame as PNG and exits; ``--screenshot-every-s N`` (or ``display.screenshot_every_s``)
keeps writing a fresh PNG while it runs. ``motcua display check-config FILE`` validates
a display file and prints every bad key.
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
        "display", help="chạy màn hình gọi số (run the lobby board: pygame, MQTT)",
        description="Run the lobby board: every counter's number, the call being announced, "
        "waiting counts and the last calls, from the hub's retained state over MQTT. Example "
        "file: display/display.example.toml. Environment overrides: MOTCUA_DISPLAY_ID, "
        "MOTCUA_MQTT_URL, MOTCUA_SITE, MOTCUA_DISPLAY_RESOLUTION, MOTCUA_DISPLAY_FULLSCREEN, "
        "MOTCUA_DISPLAY_FONT, MOTCUA_DISPLAY_SCREENSHOT_EVERY_S, MOTCUA_DISPLAY_SCREENSHOT.")
    parser.add_argument("--config", help="display TOML file ([display], [announcer])")
    parser.add_argument("--headless", action="store_true",
                        help="no window even when a screen is there (SDL dummy driver)")
    parser.add_argument("--window", action="store_true",
                        help="a window instead of full screen")
    parser.add_argument("--screenshot", metavar="FILE", type=Path,
                        help="write one frame to this PNG and exit")
    parser.add_argument("--wait-s", type=float, default=5.0,
                        help="with --screenshot: how long to wait for the hub's board "
                        "(default 5 s)")
    parser.add_argument("--screenshot-every-s", type=float, metavar="SECONDS",
                        help="write a fresh PNG this often while running "
                        "(default: display.screenshot_every_s)")
    parser.add_argument("--screenshot-path", type=Path, metavar="FILE",
                        help="where --screenshot-every-s writes (default: "
                        "display.screenshot_path)")
    parser.add_argument("--audio-out", type=Path, metavar="DIR",
                        help="write each announcement as a WAV file in DIR instead of "
                        "playing it (no sound card: a computer without speakers)")
    parser.set_defaults(handler=run_display)
    actions = parser.add_subparsers(dest="display_command", metavar="ACTION")
    check = actions.add_parser("check-config", help="kiểm tra tệp cấu hình (validate a file)")
    check.add_argument("file", help="display TOML file")
    check.set_defaults(handler=check_config)


def check_config(args: argparse.Namespace) -> int:
    from display.config import DisplayConfigError, load_display_config

    try:
        config = load_display_config(args.file)
        config.font_path()
        config.font_path(bold=True)
        check_announcer(config)
    except (DisplayConfigError, ValueError) as exc:
        print(f"cấu hình sai / invalid configuration: {exc}", file=sys.stderr)
        return 2
    section = config.display
    print(f"{args.file}: hợp lệ / valid (display {section.id}, site {section.site}, "
          f"{section.resolution})")
    return 0


def check_announcer(config) -> None:
    """Build the ``[announcer]`` table's voice once, without sound (a null sink), so every
    bad key (sink, mode, template, voice, timezone, volume_by_hour) is named now.

    Raises:
        ValueError: naming the key.
    """
    from display.announcer import announcer_from_config
    from display.audio import SINKS

    sink = config.announcer.get("sink", "pygame")
    if sink not in SINKS:
        raise ValueError(f"announcer.sink: expected one of {sorted(SINKS)}")
    announcer = announcer_from_config({**config.announcer, "sink": "null"},
                                      base_dir=config.base_dir)
    if announcer is not None:
        announcer.close()


def create_announcer(config, audio_out: Path | None = None):
    """The clip-based voice of :mod:`display.announcer` from the ``[announcer]`` table, or
    None when it says ``enabled = false``; ``audio_out`` writes WAV files instead of
    playing.

    Raises:
        ValueError: a bad ``announcer.*`` value, naming the key.
    """
    from display.announcer import announcer_from_config

    return announcer_from_config(config.announcer, base_dir=config.base_dir,
                                 audio_out=audio_out)


def run_display(args: argparse.Namespace) -> int:
    from display.config import DisplayConfigError, load_display_config
    from display.sdl import prepare_sdl

    try:
        config = load_display_config(args.config)
        config.font_path()
        config.font_path(bold=True)
    except DisplayConfigError as exc:
        log.error("configuration: %s", exc)
        return 2
    announcer = None
    if args.screenshot is None:  # a single frame speaks nothing
        try:
            announcer = create_announcer(config, args.audio_out)
        except ValueError as exc:
            log.error("configuration: %s", exc)
            return 2
    if args.window:
        config.display.fullscreen = False
    headless = prepare_sdl(True if (args.headless or args.screenshot) else None)

    from display.app import build_board, open_screen, wait_for_state  # after prepare_sdl

    import pygame

    try:
        surface = open_screen(config, headless)
    except pygame.error as exc:
        if headless:
            raise
        # A DISPLAY that no X server answers (an SSH session, a stale variable): a board
        # without a window still serves screenshots rather than dying.
        log.warning("no window (%s): running headless", exc)
        pygame.display.quit()
        headless = prepare_sdl(True)
        surface = open_screen(config, headless)
    loop = build_board(config, surface, announcer=announcer)
    loop.feed.start()
    section = config.display
    try:
        if args.screenshot is not None:
            if not wait_for_state(loop, args.wait_s):
                log.warning("no board from the hub within %.1f s: the frame shows what "
                            "this display has (offline)", args.wait_s)
            loop.wake.set()
            loop.frame(force=True)
            print(f"motcua display: {loop.save(args.screenshot)}", flush=True)
            return 0
        every = (args.screenshot_every_s if args.screenshot_every_s is not None
                 else section.screenshot_every_s)
        shot_path = args.screenshot_path or config.resolve(section.screenshot_path)
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: (stop.set(), loop.wake.set()))
        print(f"motcua display {section.id}: {section.resolution} on SDL video driver "
              f"{pygame.display.get_driver()}, MQTT root motcua/v1/{section.site}"
              + (f", screenshot every {every:g} s to {shot_path}" if every > 0 else ""),
              flush=True)
        loop.run(stop, screenshot_every_s=every, screenshot_path=shot_path)
        return 0
    finally:
        loop.feed.close()
        if announcer is not None:
            announcer.close()
        pygame.quit()
