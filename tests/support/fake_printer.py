"""A ticket printer at the hardware edge: records tickets, reports the state it is told."""

from __future__ import annotations

import threading

from kiosk.printing import PrintResult, TicketContent

#: States in which no paper comes out.
NOT_PRINTING = frozenset({"paper_out", "offline"})


class RecordingPrinter:
    """A :class:`~kiosk.printing.TicketPrinter` whose ``state`` a test sets.

    ``printed`` holds every ticket that came out, in order; in ``paper_out`` or ``offline``
    nothing comes out and the result says so, as the real printers report it.
    """

    def __init__(self, state: str = "ok") -> None:
        self.state = state
        self.printed: list[TicketContent] = []
        self._lock = threading.Lock()

    def status(self) -> str:
        return self.state

    def print_ticket(self, ticket: TicketContent) -> PrintResult:
        state = self.state
        if state in NOT_PRINTING:
            return PrintResult(printed=False, status=state, detail=f"printer {state}")
        with self._lock:
            self.printed.append(ticket)
        return PrintResult(printed=True, status=state)
