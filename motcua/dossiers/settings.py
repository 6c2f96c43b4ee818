"""A site's dossier settings (the ``[dossiers]`` table of its site file), ready to use.

The site file keeps them as text (:class:`motcua.site_config.DossiersSection`); the hub
turns them into one :class:`DossierSettings`, with the code pattern compiled and the
holiday file's path resolved against the site file's folder. Stdlib only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .codes import DEFAULT_RULE, CodeRule


@dataclass(frozen=True)
class DossierSettings:
    """What the lookup surfaces and the return-of-results check need to know.

    Attributes:
        code_rule: cleans a scanned or typed code (None from it: not a dossier code).
        return_service: service code of return-of-results tickets; None: refused.
        holidays: the holiday calendar file (None: the shipped Vietnamese holidays).
        wrong_codes_per_minute: wrong codes one kiosk or web client may try per minute.
    """

    code_rule: CodeRule = field(default=DEFAULT_RULE)
    return_service: str | None = None
    holidays: Path | None = None
    wrong_codes_per_minute: int = 10

    def problems(self) -> list[str]:
        """What would stop these settings from working, one line per problem."""
        if self.holidays is not None and not self.holidays.is_file():
            return [f"dossiers.holidays: no such file {self.holidays}"]
        return []
