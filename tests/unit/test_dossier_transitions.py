"""Every status transition of a dossier, allowed and refused (DOMAIN.md section 3)."""

from __future__ import annotations

import itertools

import pytest

from motcua.dossiers.status import DossierStatus, TransitionRefused, check_transition

#: The allowed transitions as docs/dossiers.md lists them, written out independently of
#: the module's table: (from, to).
ALLOWED = {
    (1, 2), (1, 3), (1, 5), (1, 7),
    (2, 4), (2, 5), (2, 6), (2, 7), (2, 8), (2, 9),
    (4, 4), (4, 5), (4, 6), (4, 7), (4, 8), (4, 9),
    (5, 2), (5, 4), (5, 6), (5, 7), (5, 8), (5, 9),
    (6, 4), (6, 5), (6, 7), (6, 8), (6, 9),
    (9, 10),
}
PAIRS = list(itertools.product(range(1, 11), repeat=2))


@pytest.mark.parametrize("old, new", [pair for pair in PAIRS if pair in ALLOWED])
def test_an_allowed_transition_passes(old, new):
    """Given an allowed pair, when it is checked, then nothing is raised."""
    check_transition(old, new)


@pytest.mark.parametrize("old, new", [pair for pair in PAIRS if pair not in ALLOWED])
def test_a_refused_transition_names_both_statuses_in_vietnamese(old, new):
    """Given any pair outside the table (71 of 100), when it is checked, then
    TransitionRefused (a ValueError) names both statuses by their Vietnamese labels."""
    with pytest.raises(TransitionRefused) as caught:
        check_transition(old, new)
    refused = caught.value
    assert isinstance(refused, ValueError)
    assert (refused.old, refused.new) == (old, new)
    assert refused.message_vi == (
        f"Không thể chuyển hồ sơ từ trạng thái “{DossierStatus(old).label}” ({old}) "
        f"sang “{DossierStatus(new).label}” ({new})")
    assert f"from status {old} " in refused.message_en and f"to {new} " in refused.message_en


def test_terminal_statuses_allow_nothing():
    """Given refused (3), withdrawn (7), stopped (8) and returned (10), then no status may
    follow them."""
    for old in (3, 7, 8, 10):
        for new in range(1, 11):
            with pytest.raises(TransitionRefused):
                check_transition(old, new)


@pytest.mark.parametrize("new", range(1, 11))
def test_the_first_status_of_a_dossier_may_be_any(new):
    """Given a dossier with no status yet (imported mid-way), then any status may start it."""
    check_transition(None, new)


@pytest.mark.parametrize("bad", [0, 11, -1])
def test_a_status_outside_1_to_10_is_a_value_error(bad):
    """Given a code that is not a status, then ValueError, not a TransitionRefused."""
    with pytest.raises(ValueError) as caught:
        check_transition(2, bad)
    assert not isinstance(caught.value, TransitionRefused)
