"""The ``motcua`` command line: one entry point, subcommands registered by modules.

Each feature module that offers a subcommand exposes ``register(subparsers)``; it adds its
parser and sets ``handler`` (a callable taking the parsed args and returning an exit code).
Keeping registration beside the feature keeps this file short and conflict-free.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

#: Modules that contribute subcommands, in the order ``motcua --help`` lists them.
COMMAND_MODULES = (
    "motcua.commands.config_commands",
    "motcua.commands.db_commands",
    "motcua.commands.hub_commands",
    "motcua.commands.broker_commands",
    "motcua.commands.contract_commands",
    "motcua.commands.up_commands",
    "motcua.commands.device_commands",
    "motcua.commands.user_commands",
    "motcua.commands.kiosk_commands",
    "motcua.commands.printer_commands",
    "motcua.commands.sounds_commands",
    "motcua.commands.display_commands",
    "motcua.commands.counter_commands",
    "motcua.commands.dossier_commands",
    "motcua.commands.procedure_commands",
)


def build_parser() -> argparse.ArgumentParser:
    """Return the top-level parser with every available subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="motcua",
        description="motcua — hệ thống lấy số và xếp hàng cho Bộ phận Một cửa "
        "(queue management for one-stop public-service centers).",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log at DEBUG level")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue  # a feature not built yet: its command is simply absent
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    return int(handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
