"""``motcua check-config`` and ``motcua example-config``: the site TOML file from the shell.

``check-config`` is what an installer runs after editing a site file: it prints a one-line
summary (and any warnings) when the file is usable, or every problem, one per line as
``FILE: key.path: message``, and exits 1. ``example-config`` prints the shipped example so
a new center starts from a commented, valid file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from motcua.site_config import (
    SiteConfigError,
    example_config_path,
    example_config_text,
    load_site_config,
)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``check-config`` and ``example-config`` subcommands."""
    check = subparsers.add_parser(
        "check-config",
        help="kiểm tra tệp cấu hình điểm phục vụ (check a site TOML file)",
        description="Kiểm tra tệp cấu hình điểm phục vụ và liệt kê mọi lỗi. "
        "Check a site TOML file and list every problem with the key that holds it.",
    )
    check.add_argument(
        "file",
        nargs="?",
        help="tệp TOML của điểm (site TOML file; default: the packaged example center)",
    )
    check.add_argument(
        "--strict",
        action="store_true",
        help="coi cảnh báo là lỗi (treat warnings as errors: exit 1)",
    )
    check.set_defaults(handler=check_config)

    example = subparsers.add_parser(
        "example-config",
        help="in tệp cấu hình mẫu (print the example site TOML to start from)",
        description="In tệp cấu hình mẫu ra màn hình: motcua example-config > site.toml. "
        "Print the commented example site file.",
    )
    example.set_defaults(handler=print_example_config)


def check_config(args: argparse.Namespace) -> int:
    """Validate a site file; exit 0 when usable, 1 on errors (or warnings with --strict)."""
    path = args.file or example_config_path()
    try:
        config = load_site_config(path)
        setup = config.to_setup()
    except SiteConfigError as error:
        for message in error.messages:
            print(f"{path}: {message}", file=sys.stderr)
        return 1
    dossiers = config.dossiers.to_settings(Path(path).parent)
    if dossiers.problems():
        for message in dossiers.problems():
            print(f"{path}: {message}", file=sys.stderr)
        return 1
    if args.strict and config.warnings:
        for warning in config.warnings:
            print(f"{path}: {warning}", file=sys.stderr)
        return 1
    print(
        f"OK: {setup.name} — {len(setup.services)} services, "
        f"{len(setup.counters)} counters, {len(setup.sessions)} sessions"
    )
    if dossiers.return_service:
        print(f"dossiers: return-of-results tickets of {dossiers.return_service!r}, "
              f"{dossiers.wrong_codes_per_minute} wrong codes a minute per kiosk or web client")
    for warning in config.warnings:
        print(f"warning: {warning}")
    return 0


def print_example_config(args: argparse.Namespace) -> int:
    """Write the example site TOML to standard output."""
    sys.stdout.write(example_config_text())
    return 0
