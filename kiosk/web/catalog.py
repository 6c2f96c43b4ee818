"""The kiosk pages' message catalog: every text on screen, Vietnamese first.

One TOML file per language in ``messages/`` (``vi.toml``, ``en.toml``), tables of keys;
a key is ``table.name`` (``home.heading``). Texts may hold ``{name}`` parameters, filled
by :meth:`MessageCatalog.text` on the server and by ``t()`` in the page's script. Loading
refuses a catalog whose languages differ in keys or parameters, naming the key, so a
missing translation fails at start and in the tests, never in front of a citizen.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

from .settings import LANGUAGES

_PARAMETER = re.compile(r"\{([a-z_]+)\}")


class CatalogError(ValueError):
    """The message files disagree or are malformed; the message names the key."""


@dataclass(frozen=True)
class MessageCatalog:
    """Texts by language then key: ``messages["vi"]["home.heading"]``."""

    messages: dict[str, dict[str, str]]

    def text(self, language: str, key: str, **params: Any) -> str:
        """The text of ``key`` in ``language`` with its ``{name}`` parameters filled.

        Raises:
            KeyError: an unknown language or key (a programming error).
        """
        template = self.messages[language][key]
        return _PARAMETER.sub(lambda match: str(params.get(match.group(1), match.group(0))),
                              template)

    def keys(self) -> frozenset[str]:
        return frozenset(self.messages[LANGUAGES[0]])

    def as_json(self) -> dict[str, dict[str, str]]:
        return {language: dict(texts) for language, texts in self.messages.items()}


def parameters(text: str) -> frozenset[str]:
    """The ``{name}`` parameters a text uses."""
    return frozenset(_PARAMETER.findall(text))


def flatten(tables: dict[str, Any], where: str = "") -> dict[str, str]:
    """``{"home": {"heading": "…"}}`` → ``{"home.heading": "…"}``; only text leaves."""
    flat: dict[str, str] = {}
    for name, value in tables.items():
        key = f"{where}.{name}" if where else name
        if isinstance(value, dict):
            flat.update(flatten(value, key))
        elif isinstance(value, str):
            flat[key] = value
        else:
            raise CatalogError(f"{key}: a message must be text, not {type(value).__name__}")
    return flat


def check_catalog(messages: dict[str, dict[str, str]]) -> None:
    """Raise :class:`CatalogError` unless every language has the same keys and parameters."""
    reference_language = LANGUAGES[0]
    reference = messages[reference_language]
    for language, texts in messages.items():
        for key in sorted(reference.keys() - texts.keys()):
            raise CatalogError(f"{key}: missing in {language}.toml")
        for key in sorted(texts.keys() - reference.keys()):
            raise CatalogError(f"{key}: in {language}.toml but not in "
                               f"{reference_language}.toml")
        for key, text in texts.items():
            if parameters(text) != parameters(reference[key]):
                raise CatalogError(
                    f"{key}: {language}.toml uses {sorted(parameters(text))}, "
                    f"{reference_language}.toml {sorted(parameters(reference[key]))}")


def load_catalog() -> MessageCatalog:
    """Read ``messages/{vi,en}.toml`` from the package and check they agree."""
    folder = resources.files(__package__).joinpath("messages")
    messages: dict[str, dict[str, str]] = {}
    for language in LANGUAGES:
        try:
            tables = tomllib.loads(folder.joinpath(f"{language}.toml").read_text("utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise CatalogError(f"messages/{language}.toml: {error}") from error
        messages[language] = flatten(tables)
    check_catalog(messages)
    return MessageCatalog(messages)
