"""Hold a dispatcher between applying a batch to its live state and committing it."""

from __future__ import annotations

import threading


class HeldCommit:
    """Wraps ``store.commit`` of one store instance; while ``hold`` is set, the next commit
    signals ``entered`` and waits for ``release`` before writing."""

    def __init__(self, store) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()
        self.hold = False
        self._commit = store.commit
        store.commit = self

    def __call__(self, batch):
        if self.hold:
            self.entered.set()
            if not self.release.wait(10):
                raise TimeoutError("the test never released the held commit")
        return self._commit(batch)
