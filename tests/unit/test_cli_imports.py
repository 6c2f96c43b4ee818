"""What every process pays for the command line: no database code for a device."""

from __future__ import annotations

import subprocess
import sys

from motcua.commands import user_commands
from motcua.store import users


def test_building_the_parser_loads_no_database_or_hub_code():
    """Given a fresh interpreter (a kiosk, display or counter bridge starting), when the
    `motcua` parser is built with every subcommand, then SQLAlchemy, Alembic, argon2 and the
    hub's HTTP app are not imported: a device carries none of them (the kiosk's memory
    goal is 80 MB)."""
    code = ("import sys, motcua.cli; motcua.cli.build_parser(); "
            "print(sorted(m for m in ('sqlalchemy', 'alembic', 'argon2', 'motcua.server.app', "
            "'motcua.store', 'psycopg') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == "[]"


def test_the_user_command_offers_the_stores_roles():
    """The parser's copies of the roles and the all-counters word match the store's."""
    assert (user_commands.ROLES, user_commands.ALL_COUNTERS) == (users.ROLES, users.ALL_COUNTERS)
