"""Garbage-collector pacing for the hub process, so a full day does not bring long pauses.

The queue state keeps every ticket of the day in memory. CPython's automatic full
(generation 2) collection scans every tracked object, so late in a day one pause takes
100 ms or more on a small machine, and every command queued behind it waits. Tickets are
never cyclic garbage (they leave the state only when the day is purged), so scanning them
again and again finds nothing.

:class:`HeapPacer` turns off the automatic full collection and, on the writer thread
after every ``every`` committed commands, collects everything allocated since its last
run and then freezes the survivors (:func:`gc.freeze`): later collections skip them. Each
pause is bounded by the work of ``every`` commands, not by the size of the day. Frozen
objects are still freed by reference counting; only a reference cycle formed later among
them would stay until :meth:`HeapPacer.release` (called when the hub stops).
"""

from __future__ import annotations

import gc
import logging
import threading
import time

log = logging.getLogger(__name__)
# Pacers installed in this process (tests run several hubs): the first saves the
# collector's thresholds, the last to leave restores them.
_installed = 0
_saved: tuple[int, int, int] | None = None
_lock = threading.Lock()

#: Objects allocated between two young collections (CPython's default is 700): fewer,
#: slightly longer young collections cost less in all.
YOUNG_THRESHOLD = 5_000
#: A middle generation collection every this many young ones (CPython's default is 10).
MIDDLE_THRESHOLD = 20


class HeapPacer:
    """Collects and freezes the heap every ``every`` commands; see the module docstring.

    ``install()`` changes the process's collector thresholds; ``release()`` restores
    them and unfreezes. Call :meth:`after_commands` on one thread only (the writer).
    """

    def __init__(self, every: int = 2_000) -> None:
        self.every = every
        self._since = 0
        self._installed = False
        self.collections = 0
        self.longest_pause_s = 0.0

    def install(self) -> "HeapPacer":
        global _installed, _saved
        with _lock:
            if _installed == 0:
                _saved = gc.get_threshold()
            _installed += 1
            self._installed = True
            gc.collect()
            gc.freeze()  # what start-up loaded (setup, the day so far, libraries)
            # A threshold no count reaches: the full collections are this pacer's.
            gc.set_threshold(YOUNG_THRESHOLD, MIDDLE_THRESHOLD, 2 ** 31 - 1)
        return self

    def after_commands(self, count: int) -> None:
        self._since += count
        if self._since < self.every:
            return
        self._since = 0
        started = time.perf_counter()
        gc.collect()  # frozen objects are skipped: this scans the recent ones only
        gc.freeze()
        pause = time.perf_counter() - started
        self.collections += 1
        self.longest_pause_s = max(self.longest_pause_s, pause)
        log.debug("heap collected and frozen in %.1f ms (%d frozen objects)",
                  pause * 1000, gc.get_freeze_count())

    def release(self) -> None:
        global _installed
        with _lock:
            if not self._installed:
                return
            self._installed = False
            _installed -= 1
            if _installed == 0 and _saved is not None:
                gc.unfreeze()
                gc.set_threshold(*_saved)
