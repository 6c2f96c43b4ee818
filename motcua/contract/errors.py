"""Refusals of the wire contract: the exception :func:`parse_command` raises.

The codes and messages are those of the hub's one catalog (:mod:`motcua.errors`); this
module only names the exception the contract raises, so devices that import the contract
can catch it without knowing the hub.
"""

from __future__ import annotations

from motcua.errors import CATALOG, WireError

#: Every code a device can receive, with its (Vietnamese, English) messages.
ERROR_MESSAGES = CATALOG


class ContractError(WireError):
    """A message that breaks the contract. It was not acted on.

    Codes: ``payload_too_large``, ``bad_json``, ``invalid_argument``, ``unknown_action``,
    ``clock_skew``. See :class:`motcua.errors.WireError` for the attributes.
    """
