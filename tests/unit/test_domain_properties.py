"""Random days at a site: the queue's invariants hold after every command, whatever the order.

A hypothesis state machine drives three counters and three services (two sharing prefix A)
with random kiosk, clerk and timer commands under random rules, on a clock that only moves
forward (sometimes past 17:00 or across midnight). After every step it checks that

* no ticket is current at two counters, a counter's current ticket is called or serving
  there, and every called or serving ticket is the current ticket of its own counter;
* held tickets sit at no counter, and a ticket reserved for a counter can still be called
  there (that counter is not closed);
* numbers per (prefix, business day) are exactly 1..n, issued in order;
* a successful call_next picked what the queue rules allow (reservation, class, order,
  and the oldest hold when nothing waits);
* no stamp of a ticket is before an earlier one and no service time is negative, even
  with a clock that steps back within the day;
* the queue indexes kept by the event appliers equal indexes rebuilt from the tickets;
* a refused command changed nothing, and replaying every event gives the live state
  (indexes and recent calls included).

A second property checks ``waiting_ahead`` by its definition: call_next is pressed until
the ticket is called, and exactly ``waiting_ahead`` tickets of its line come first.
"""

from __future__ import annotations

import datetime as dt
import pickle
from collections import defaultdict

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from motcua.domain import (
    Assignment,
    Command,
    CounterSetup,
    CounterStatus,
    Decision,
    DomainError,
    IssuingSession,
    PriorityMode,
    Rules,
    SelectionMode,
    Service,
    SiteSetup,
    SiteState,
    TicketStatus,
    execute,
    replay,
)
from motcua.domain.model import ACTIVE_STATUSES
from motcua.domain.numbering import format_number
from motcua.domain.selection import waiting_ahead

from tests.unit.domain_helpers import EVERY_DAY, MONDAY, VIETNAM as VN, IdSequence, vietnam_time

COUNTER_NUMBERS = (1, 2, 3)
SERVICE_CODES = ("s1", "s2", "s3")
PRIORITIES = ("normal", "normal", "normal", "elderly", "disabled", "pregnant")

counters = st.sampled_from(COUNTER_NUMBERS)
services = st.sampled_from(SERVICE_CODES)
priorities = st.sampled_from(PRIORITIES)


def property_setup(rules: Rules) -> SiteSetup:
    """Services s1 and s2 share prefix A, s3 is B (capped at 12); three counters."""
    return SiteSetup(
        site_id="prop",
        name="Property site",
        timezone="Asia/Ho_Chi_Minh",
        services={
            "s1": Service("s1", "A", "Một", mean_service_minutes=10.0),
            "s2": Service("s2", "A", "Hai", mean_service_minutes=5.0),
            "s3": Service("s3", "B", "Ba", mean_service_minutes=15.0, daily_cap=12),
        },
        counters={
            1: CounterSetup(1, "Quầy 1", (Assignment(("s1", "s2")),)),
            2: CounterSetup(2, "Quầy 2", (Assignment(("s2", "s3")),)),
            3: CounterSetup(3, "Quầy 3", (Assignment(("s3", "s1")),)),
        },
        # Every day of the week, so that random jumps across midnight keep issuing possible.
        sessions=(
            IssuingSession("sang", dt.time(7, 0), dt.time(11, 30), EVERY_DAY),
            IssuingSession("chieu", dt.time(13, 0), dt.time(17, 0), EVERY_DAY),
        ),
        rules=rules,
    )


class QueueDay(RuleBasedStateMachine):
    """One site driven by random commands; see the module docstring for what is checked."""

    # --- set-up ---------------------------------------------------------------------------

    @initialize(
        priority_mode=st.sampled_from(list(PriorityMode)),
        selection=st.sampled_from(list(SelectionMode)),
        interleave_every=st.integers(1, 3),
        hold_calls=st.integers(0, 3),
        max_recalls=st.integers(0, 2),
        finish_on_call_next=st.booleans(),
        first_citizens=st.lists(st.tuples(services, priorities), max_size=8),
    )
    def build_site(self, first_citizens: list[tuple[str, str]], **rules: object) -> None:
        """Monday 07:00: the three counters open and the first citizens take numbers."""
        self.setup = property_setup(Rules(**rules))
        self.state = SiteState(setup=self.setup)
        self.now = vietnam_time(MONDAY, 7, 0)
        self.new_id = IdSequence()
        self.log = []
        #: Tickets whose place in line is no longer their issue order.
        self.moved: set[str] = set()
        #: Ticket id -> position in the day's issue order.
        self.issue_order: dict[str, int] = {}
        for number in COUNTER_NUMBERS:
            self.run("open", number, clerk=f"clerk{number}")
        for service, priority in first_citizens:
            self.run("issue", service=service, priority=priority)

    # --- running a command ----------------------------------------------------------------

    def run(self, action: str, counter: int | None = None, **args: object) -> Decision | None:
        """Execute a command; a refusal must leave the state exactly as it was."""
        # A pickle round trip is a deep copy, about three times faster than copy.deepcopy.
        before = pickle.loads(pickle.dumps(self.state))
        try:
            command = Command(action, args, counter=counter)
            decision = execute(self.state, command, self.now, self.new_id)
        except DomainError:
            assert self.state == before
            return None
        self.log.extend(decision.events)
        for event in decision.events:
            if event.kind == "day_started":
                self.moved.clear()
                self.issue_order.clear()
            elif event.kind == "ticket_issued":
                self.issue_order[event.ticket_id] = len(self.issue_order)
            elif event.kind in ("ticket_held", "ticket_transferred"):
                self.moved.add(event.ticket_id)
        if action == "call_next":
            self.check_call_next_choice(before, counter, decision)
        return decision

    def ticket_reference(self, index: int) -> str:
        """A printed number of today's ticket; now and then one that does not exist."""
        tickets = sorted(self.state.tickets.values(), key=lambda t: t.id)
        position = index % (len(tickets) + 1)
        return tickets[position].number if position < len(tickets) else "A999"

    # --- rules: kiosk, clerk, timer, clock ------------------------------------------------

    @rule(citizens=st.lists(st.tuples(services, priorities), min_size=1, max_size=3))
    def issue(self, citizens: list[tuple[str, str]]) -> None:
        """A few citizens take numbers at the kiosk, one after the other."""
        for service, priority in citizens:
            self.run("issue", service=service, priority=priority)

    @rule(counter=counters, chosen=st.none() | st.lists(services, min_size=1, max_size=2))
    def open(self, counter: int, chosen: list[str] | None) -> None:
        """A clerk opens a counter for its roster (None) or for services chosen at open."""
        self.run("open", counter, clerk=f"clerk{counter}", services=chosen)

    @rule(counter=counters)
    def call_next(self, counter: int) -> None:
        self.run("call_next", counter)

    @rule(
        counter=counters,
        then=st.sampled_from(["start", "finish", "hold", "recall", "no_show", "call_next"]),
    )
    def call_next_then(self, counter: int, then: str) -> None:
        """The common desk rhythm: call the next citizen, then act on them at once."""
        self.run("call_next", counter)
        self.run(then, counter)

    @rule(counter=counters, index=st.integers(0, 30))
    def call(self, counter: int, index: int) -> None:
        self.run("call", counter, ticket=self.ticket_reference(index))

    @rule(counter=counters)
    def recall(self, counter: int) -> None:
        self.run("recall", counter)

    @rule(counter=counters)
    def start(self, counter: int) -> None:
        self.run("start", counter)

    @rule(counter=counters)
    def finish(self, counter: int) -> None:
        self.run("finish", counter)

    @rule(counter=counters)
    def no_show(self, counter: int) -> None:
        self.run("no_show", counter)

    @rule(counter=counters)
    def hold(self, counter: int) -> None:
        self.run("hold", counter)

    @rule(counter=counters, action=st.sampled_from(["pause", "resume", "close"]))
    def pause_resume_or_close(self, counter: int, action: str) -> None:
        self.run(action, counter)

    @rule(counter=counters, to_service=services)
    def transfer_to_service(self, counter: int, to_service: str) -> None:
        self.run("transfer", counter, to_service=to_service)

    @rule(counter=counters, to_counter=counters)
    def transfer_to_counter(self, counter: int, to_counter: int) -> None:
        self.run("transfer", counter, to_counter=to_counter)

    @rule(counter=counters, service=st.none() | services)
    def walk_in(self, counter: int, service: str | None) -> None:
        self.run("walk_in", counter, service=service)

    @rule(counter=counters, index=st.integers(0, 30), priority=priorities)
    def set_priority(self, counter: int, index: int, priority: str) -> None:
        self.run("set_priority", counter, ticket=self.ticket_reference(index), priority=priority)

    @rule(counter=counters, score=st.integers(1, 3))
    def rate(self, counter: int, score: int) -> None:
        self.run("rate", counter, score=score)

    @rule()
    def tick(self) -> None:
        self.run("tick")

    @rule(counter=counters, index=st.integers(0, 30))
    def cancel(self, counter: int, index: int) -> None:
        self.run("cancel", counter, ticket=self.ticket_reference(index))

    @rule(index=st.integers(0, 30))
    def cancel_by_holder(self, index: int) -> None:
        tickets = sorted(self.state.tickets.values(), key=lambda t: t.id)
        if tickets:
            self.run("cancel_by_holder", ticket=tickets[index % len(tickets)].id)

    @rule(minutes=st.integers(1, 90))
    def clock_steps_back(self, minutes: int) -> None:
        """The machine's clock is corrected backwards, but not across local midnight."""
        day_start = vietnam_time(self.now.astimezone(VN).date(), 0, 0)
        self.now = max(day_start, self.now - dt.timedelta(minutes=minutes))

    @rule(step=st.integers(0, 99))
    def clock_moves_forward(self, step: int) -> None:
        """Mostly a few minutes; sometimes to 17:00 (the last session ends), to the next
        morning, or to just past the next local midnight."""
        tomorrow = self.now.date() + dt.timedelta(days=1)
        if step < 88:
            self.now += dt.timedelta(minutes=step % 30)
        elif step < 94:
            self.now = max(self.now, self.now.replace(hour=17, minute=0, second=0))
        elif step < 97:
            self.now = vietnam_time(tomorrow, 6, 30) + dt.timedelta(minutes=30 * (step - 94))
        else:
            self.now = vietnam_time(tomorrow, 0, 0, step - 96)

    # --- the choice of call_next ----------------------------------------------------------

    def check_call_next_choice(self, before: SiteState, counter: int, decision: Decision) -> None:
        """The ticket call_next called is one the rules allow, judged on the state before."""
        if any(e.kind == "day_started" for e in decision.events):
            return  # a new day has nobody waiting yet, so call_next cannot have succeeded
        called = [e for e in decision.events if e.kind == "ticket_called"]
        assert len(called) == 1 and called[0].counter == counter
        chosen = before.tickets[called[0].ticket_id]
        rules = self.setup.rules
        services_now = before.counter_services(counter)
        pool = [
            t for t in before.tickets.values()
            if t.status is TicketStatus.WAITING
            and (t.reserved_counter == counter
                 or (t.reserved_counter is None and t.service in services_now))
        ]
        if not pool:
            # Nobody waits: the hold of the counter's services put on hold first.
            held = [t for t in before.tickets.values()
                    if t.status is TicketStatus.HELD and t.service in services_now]
            assert chosen in held
            assert chosen.held_at == min(t.held_at for t in held)
            return
        assert chosen in pool

        reserved = [t for t in pool if t.reserved_counter == counter]
        if reserved:
            assert chosen.reserved_counter == counter
            assert chosen.queue_key() == min(t.queue_key() for t in reserved)
            return

        same_class = [t for t in pool if t.is_priority == chosen.is_priority]
        other_class_waits = len(same_class) < len(pool)
        streak = before.counters[counter].normal_streak
        if chosen.is_priority and other_class_waits:
            assert (rules.priority_mode is PriorityMode.STRICT
                    or streak >= rules.interleave_every)
        if not chosen.is_priority and other_class_waits:
            assert rules.priority_mode is PriorityMode.INTERLEAVED
            assert streak < rules.interleave_every

        # Within its class and service: released holds first, then issue order.
        same_line = [t for t in same_class if t.service == chosen.service]
        if any(t.front for t in same_line):
            assert chosen.front
        if chosen.id not in self.moved:
            untouched = [t for t in same_line if t.id not in self.moved]
            assert self.issue_order[chosen.id] == min(self.issue_order[t.id] for t in untouched)

        # Across the counter's services: oldest first, or the counter's order.
        if rules.selection is SelectionMode.OLDEST_FIRST:
            assert chosen.queue_key() == min(t.queue_key() for t in same_class)
        else:
            rank = {code: i for i, code in enumerate(services_now)}
            assert rank[chosen.service] == min(rank[t.service] for t in same_class)

    # --- invariants -----------------------------------------------------------------------

    @invariant()
    def one_counter_per_ticket(self) -> None:
        """No ticket is current at two counters; a current ticket is called/serving there."""
        currents = [c.current for c in self.state.counters.values() if c.current is not None]
        assert len(currents) == len(set(currents))
        for number, counter in self.state.counters.items():
            if counter.current is not None:
                ticket = self.state.tickets[counter.current]
                assert ticket.status in ACTIVE_STATUSES
                assert ticket.counter == number
            if counter.status is not CounterStatus.OPEN:
                assert counter.current is None

    @invariant()
    def one_active_ticket_per_counter(self) -> None:
        """Every called or serving ticket is the current ticket of its own counter."""
        active_per_counter: dict[int, int] = defaultdict(int)
        for ticket in self.state.tickets.values():
            if ticket.status in ACTIVE_STATUSES:
                active_per_counter[ticket.counter] += 1
                assert self.state.counters[ticket.counter].current == ticket.id
        assert all(count == 1 for count in active_per_counter.values())

    @invariant()
    def waiting_tickets_are_callable(self) -> None:
        """Held tickets sit at no counter; a reservation points at a counter not closed."""
        for ticket in self.state.tickets.values():
            if ticket.status is TicketStatus.HELD:
                assert ticket.counter is None
            if ticket.status is TicketStatus.WAITING and ticket.reserved_counter is not None:
                reserved_for = self.state.counters[ticket.reserved_counter]
                assert reserved_for.status is not CounterStatus.CLOSED

    @invariant()
    def numbers_are_gap_free_per_prefix_and_day(self) -> None:
        """Every (prefix, business day) was numbered 1, 2, … n in issue order, no duplicates."""
        issued: dict[tuple[str, str], list[int]] = defaultdict(list)
        for event in self.log:
            if event.kind == "ticket_issued":
                key = (event.data["prefix"], event.data["business_day"])
                issued[key].append(event.data["seq_no"])
                assert event.data["number"] == format_number(key[0], event.data["seq_no"])
        for sequence in issued.values():
            assert sequence == list(range(1, len(sequence) + 1))
        today: dict[str, list[int]] = defaultdict(list)
        for ticket in self.state.tickets.values():
            assert ticket.business_day == self.state.business_day
            today[ticket.prefix].append(ticket.seq_no)
        assert {p: sorted(s) for p, s in today.items()} == {
            p: list(range(1, n + 1)) for p, n in self.state.last_numbers.items()
        }

    @invariant()
    def stamps_never_go_back(self) -> None:
        """Issue, call, start and finish times of a ticket are in order, and no service
        time is negative, whatever the clock did."""
        for ticket in self.state.tickets.values():
            if ticket.called_at is not None:
                assert ticket.called_at >= ticket.issued_at
            if ticket.started_at is not None:
                assert ticket.started_at >= ticket.called_at
            if ticket.finished_at is not None:
                assert ticket.finished_at >= (ticket.started_at or ticket.called_at
                                              or ticket.issued_at)
            if ticket.status is TicketStatus.WAITING:
                assert waiting_ahead(self.state, ticket) >= 0
        for durations in self.state.service_durations.values():
            assert all(seconds >= 0 for seconds in durations)

    @invariant()
    def issue_order_is_queue_order(self) -> None:
        """Within a day, later issues never carry an earlier issued_at."""
        issued = sorted(self.state.tickets.values(), key=lambda t: self.issue_order[t.id])
        stamps = [t.issued_at for t in issued]
        assert stamps == sorted(stamps)

    @invariant()
    def indexes_equal_a_rebuild(self) -> None:
        """The indexes the appliers keep equal indexes rebuilt from the tickets alone."""
        rebuilt = pickle.loads(pickle.dumps(self.state))
        rebuilt.reindex()
        assert rebuilt.index == self.state.index
        assert sum(self.state.index.waiting.values()) == sum(
            t.status is TicketStatus.WAITING for t in self.state.tickets.values())

    @invariant()
    def replay_rebuilds_the_live_state(self) -> None:
        """Folding every event emitted so far into an empty site gives the live state."""
        assert replay(self.setup, self.log) == self.state


class TestQueueDay(QueueDay.TestCase):
    """Given a site with three counters and three services (two sharing prefix A) under
    random rules, When random kiosk, clerk and timer commands run on a clock that only
    moves forward, Then every invariant of :class:`QueueDay` holds after every step."""

    settings = settings(
        max_examples=200,
        stateful_step_count=50,
        deadline=None,
        report_multiple_bugs=False,
        suppress_health_check=[HealthCheck.too_slow],
    )


# --- waiting_ahead, checked by its definition --------------------------------------------

#: What happens at the desks before the line is read: a citizen takes a number (with a
#: priority), counter 1 calls and finishes, calls and holds (released at the next call),
#: calls and sends the citizen to counter 2, or serves a walk-in.
SETUP_STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("issue"), priorities),
        st.tuples(st.sampled_from(["serve", "hold", "send_to_2", "walk_in"]), st.none()),
    ),
    min_size=1,
    max_size=25,
)


def line_setup(rules: Rules) -> SiteSetup:
    """Counter 1 serves only s1 (prefix A), counter 2 only s2: each line has one counter."""
    return SiteSetup(
        site_id="ahead",
        name="Ahead site",
        timezone="Asia/Ho_Chi_Minh",
        services={
            "s1": Service("s1", "A", "Một"),
            "s2": Service("s2", "B", "Hai"),
        },
        counters={
            1: CounterSetup(1, "Quầy 1", (Assignment(("s1",)),)),
            2: CounterSetup(2, "Quầy 2", (Assignment(("s2",)),)),
        },
        sessions=(IssuingSession("ca", dt.time(7, 0), dt.time(17, 0), EVERY_DAY),),
        rules=rules,
    )


def calls_before(state: SiteState, counter: int, ticket_id: str, now: dt.datetime) -> int:
    """Press finish + call_next at ``counter`` until ``ticket_id`` is called; return how
    many other tickets were called first."""
    new_id = IdSequence()
    called = 0
    while True:
        decision = execute(state, Command("call_next", {}, counter=counter), now, new_id)
        if decision.ticket_id == ticket_id:
            return called
        called += 1
        execute(state, Command("finish", {}, counter=counter), now, new_id)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    priority_mode=st.sampled_from(list(PriorityMode)),
    interleave_every=st.integers(1, 4),
    steps=SETUP_STEPS,
)
def test_waiting_ahead_is_how_many_tickets_call_next_takes_first(
    priority_mode: PriorityMode, interleave_every: int, steps: list[tuple[str, str | None]]
) -> None:
    """Given a line with one counter (counter 1 for s1; tickets sent to counter 2 are
    reserved there), random priorities, interleaving, released holds and walk-ins,
    When call_next is pressed at the ticket's counter until the ticket is called,
    Then exactly ``waiting_ahead`` other tickets are called before it, for every waiting
    ticket."""
    rules = Rules(priority_mode=priority_mode, interleave_every=interleave_every, hold_calls=1)
    state = SiteState(setup=line_setup(rules))
    now = vietnam_time(MONDAY, 8, 0)
    new_id = IdSequence()

    def run(action: str, counter: int | None = None, **args: object) -> None:
        try:
            execute(state, Command(action, args, counter=counter), now, new_id)
        except DomainError:
            pass

    run("open", 1, clerk="Lan")
    run("open", 2, clerk="Minh")
    for action, priority in steps:
        now += dt.timedelta(seconds=30)
        if action == "issue":
            run("issue", service="s1", priority=priority)
        elif action == "walk_in":
            run("walk_in", 1, service="s1")
            run("finish", 1)
        else:
            run("call_next", 1)
            follow = {"serve": ("finish", {}), "hold": ("hold", {}),
                      "send_to_2": ("transfer", {"to_counter": 2})}[action]
            run(follow[0], 1, **follow[1])
    run("finish", 1)
    # A hold still pending would come back to the front in the middle of the count.
    assume(not any(t.status is TicketStatus.HELD for t in state.tickets.values()))

    waiting = [t for t in state.tickets.values() if t.status is TicketStatus.WAITING]
    for ticket in waiting:
        ahead = waiting_ahead(state, ticket)
        counter = ticket.reserved_counter or 1
        drained = pickle.loads(pickle.dumps(state))
        assert calls_before(drained, counter, ticket.id, now) == ahead, ticket.number
