"""A page's strings, Vietnamese first with English beside: what every hub page shares.

Each page keeps its own table (``key -> (vietnamese, english)``) in its ``*_text`` module
and gets its ``text`` and ``catalog`` functions from :class:`TextCatalog`.
"""

from __future__ import annotations

from typing import Mapping

#: Languages of every table, in the order of its pairs.
LANGUAGES = ("vi", "en")


class TextCatalog:
    """The strings of one page."""

    def __init__(self, texts: Mapping[str, tuple[str, str]]) -> None:
        self.texts = texts

    def text(self, key: str, language: str = "vi", **params: object) -> str:
        """The string ``key`` in ``language`` (Vietnamese unless ``"en"``) with ``params``
        filled in.

        Raises:
            KeyError: unknown key.
        """
        vietnamese, english = self.texts[key]
        template = english if language == "en" else vietnamese
        return template.format(**params) if params else template

    def catalog(self) -> dict[str, Mapping[str, str]]:
        """``{"vi": {key: text}, "en": {key: text}}`` for the page's script."""
        return {language: {key: pair[index] for key, pair in self.texts.items()}
                for index, language in enumerate(LANGUAGES)}
