"""The hub's collector pacing (motcua.heap): no automatic full collection, the heap
collected and frozen every N commands, the process's thresholds restored afterwards."""

from __future__ import annotations

import gc
import weakref

from motcua.heap import MIDDLE_THRESHOLD, YOUNG_THRESHOLD, HeapPacer


class _Node:
    me: object = None


def test_a_pacer_replaces_full_collections_and_restores_the_thresholds() -> None:
    """Given the process's collector thresholds,
    when a pacer is installed, then the young and middle thresholds are the pacer's and
    the full-collection threshold is one no count reaches, and what start-up loaded is
    frozen; when it is released, the thresholds are exactly the ones before."""
    before = gc.get_threshold()
    pacer = HeapPacer(every=10).install()
    try:
        assert gc.get_threshold() == (YOUNG_THRESHOLD, MIDDLE_THRESHOLD, 2 ** 31 - 1)
        assert gc.get_freeze_count() > 0
    finally:
        pacer.release()
    assert gc.get_threshold() == before


def test_the_heap_is_collected_and_frozen_every_n_commands() -> None:
    """Given a pacer collecting every 10 commands,
    when 9 commands are committed, then nothing is collected; when the 10th is, one
    collection ran and the objects made meanwhile (a reference cycle kept alive) are
    frozen; a cycle dropped before the next run is collected, not frozen."""
    pacer = HeapPacer(every=10).install()
    try:
        pacer.after_commands(4)
        pacer.after_commands(5)
        assert pacer.collections == 0
        frozen = gc.get_freeze_count()
        kept = [[] for _ in range(100)]
        for item in kept:
            item.append(item)  # a cycle each, still referenced
        garbage = _Node()
        garbage.me = garbage
        gone = weakref.ref(garbage)
        del garbage  # a cycle nobody references: only the collector frees it
        pacer.after_commands(1)
        assert pacer.collections == 1
        assert gone() is None
        assert gc.get_freeze_count() >= frozen + len(kept)
        assert not any(obj is kept[0] for obj in gc.get_objects())  # frozen: not tracked
    finally:
        pacer.release()


def test_two_pacers_restore_the_thresholds_only_when_the_last_leaves() -> None:
    """Given two hubs in one process (as in tests), when the first pacer is released,
    then the pacing stays for the second; when the second is released, the process's
    thresholds are the ones before either."""
    before = gc.get_threshold()
    first = HeapPacer().install()
    second = HeapPacer().install()
    first.release()
    assert gc.get_threshold()[2] == 2 ** 31 - 1
    second.release()
    assert gc.get_threshold() == before
    second.release()  # twice: nothing more
    assert gc.get_threshold() == before
