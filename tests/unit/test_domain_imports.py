"""The domain is pure: it imports only the standard library and its own modules."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import motcua.domain

DOMAIN_DIR = Path(motcua.domain.__file__).parent


def imported_top_level_modules(source: str) -> set[str]:
    """Top-level names of every absolute import in ``source`` (relative imports skipped)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_the_domain_package_has_modules_to_check() -> None:
    """Given motcua/domain, Then it holds the engine's modules (the check is not vacuous)."""
    found = {path.name for path in DOMAIN_DIR.glob("*.py")}

    assert {"engine.py", "events.py", "model.py", "selection.py"} <= found


def test_domain_imports_only_the_standard_library() -> None:
    """Given every module of motcua/domain, When its imports are parsed,
    Then each absolute import is a standard-library module (relative ones are its own)."""
    offending = {
        path.name: sorted(imported_top_level_modules(path.read_text(encoding="utf-8"))
                          - sys.stdlib_module_names)
        for path in sorted(DOMAIN_DIR.glob("*.py"))
    }

    assert {name: mods for name, mods in offending.items() if mods} == {}


def test_the_import_check_catches_a_third_party_import() -> None:
    """Given source importing pydantic and a relative module, When checked,
    Then pydantic is flagged and the relative import is not."""
    source = "import datetime\nfrom pydantic import BaseModel\nfrom .model import Ticket\n"

    assert imported_top_level_modules(source) - sys.stdlib_module_names == {"pydantic"}


def test_domain_does_not_import_motcua_by_absolute_name() -> None:
    """Given the domain modules, Then none imports motcua.* absolutely (which could pull in
    the store or the hub); its own modules are imported relatively."""
    absolute_motcua = [
        path.name
        for path in DOMAIN_DIR.glob("*.py")
        if "motcua" in imported_top_level_modules(path.read_text(encoding="utf-8"))
    ]

    assert absolute_motcua == []
