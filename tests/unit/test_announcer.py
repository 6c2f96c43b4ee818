"""The announcer queue, with a fake clock and a recording sink (the real clip library)."""

from __future__ import annotations

import datetime as dt
import threading
import time
import wave
from pathlib import Path

import pytest

from display.announcer import Announcer, AnnouncerEvent, CallAnnouncement, VolumeSchedule
from display.audio import PlayReport, WavSink
from motcua.speech.sound import AnnouncementBuilder, ClipLibrary, Utterance

T0 = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.timezone.utc)  # 09:00 in Hà Nội


class FakeClock:
    def __init__(self, now: dt.datetime = T0) -> None:
        self.now = now
        self.lock = threading.Lock()

    def __call__(self) -> dt.datetime:
        with self.lock:
            return self.now

    def advance(self, seconds: float) -> None:
        with self.lock:
            self.now += dt.timedelta(seconds=seconds)


class RecordingSink:
    """Records every play with fake-clock start/end, and whether two plays overlapped.

    Playing takes ``seconds_per_play`` of fake time (default: the audio's duration) and a
    few real milliseconds, so concurrent submits really race with the worker."""

    name = "recording"

    def __init__(self, clock: FakeClock, seconds_per_play: float | None = None,
                 fail_first: bool = False) -> None:
        self.clock = clock
        self.seconds_per_play = seconds_per_play
        self.fail_first = fail_first
        self.plays: list[dict] = []
        self.active = 0
        self.max_active = 0
        self.closed = False
        self._lock = threading.Lock()

    def play(self, utterance: Utterance, *, volume: float = 1.0, label: str = "") -> PlayReport:
        with self._lock:
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        try:
            if self.fail_first and not self.plays:
                self.plays.append({"label": label, "failed": True})
                raise OSError("device vanished")
            start = self.clock()
            time.sleep(0.003)
            self.clock.advance(self.seconds_per_play or utterance.duration_s)
            self.plays.append({"label": label, "start": start, "end": self.clock(),
                               "volume": volume, "clips": utterance.clips,
                               "text": utterance.text, "finished": True})
            return PlayReport(started=time.monotonic(), duration_s=utterance.duration_s)
        finally:
            with self._lock:
                self.active -= 1

    def close(self) -> None:
        self.closed = True


@pytest.fixture(scope="module")
def builder() -> AnnouncementBuilder:
    library = ClipLibrary.open()
    assert library.preload() == []
    return AnnouncementBuilder(library)


def call(ticket: str, counter: int = 3, recall: int = 0, at: dt.datetime = T0):
    return CallAnnouncement(ticket=ticket, counter=counter, recall=recall, at=at)


def played(sink: RecordingSink) -> list[str]:
    return [entry["label"] for entry in sink.plays if entry.get("finished")]


def test_calls_play_in_order_without_overlap(builder) -> None:
    """Given five calls submitted at once, when the queue drains, then they play in
    submission order, one at a time, each starting when the previous one ended."""
    clock = FakeClock()
    sink = RecordingSink(clock)
    with Announcer(sink, builder=builder, clock=clock, max_age_s=600) as announcer:
        for number in range(1, 6):
            assert announcer.submit(call(f"A{number:03d}", counter=number))
        assert announcer.wait_idle(10)
    assert played(sink) == ["A001-q1", "A002-q2", "A003-q3", "A004-q4", "A005-q5"]
    assert sink.max_active == 1
    for before, after in zip(sink.plays, sink.plays[1:]):
        assert after["start"] >= before["end"]
    assert sink.closed


def test_each_call_is_repeated_after_one_chime(builder) -> None:
    """Given repeats=3, when A015 at counter 3 plays, then the chime is heard once and the
    whole phrase three times, and the audio lasts chime + gaps + 3 phrases."""
    clock = FakeClock()
    sink = RecordingSink(clock)
    with Announcer(sink, builder=builder, clock=clock, repeats=3) as announcer:
        announcer.submit(call("A015"))
        announcer.wait_idle(10)
    phrase = ["phrase_invite", "letter_a", "ten", "five_after_ten", "phrase_to_counter",
              "digit_3"]
    assert sink.plays[0]["clips"] == ("chime", *phrase, *phrase, *phrase)
    assert sink.plays[0]["text"] == "Xin mời công dân có số thứ tự A mười lăm đến quầy số ba"


def test_stale_calls_are_dropped_when_their_turn_comes(builder) -> None:
    """Given five calls made at 09:00 and 20 s per announcement, when max_age_s is 45, then
    A001-A003 play (ages 0, 20, 40 s) and A004-A005 (ages 60, 60) are dropped as stale."""
    clock = FakeClock()
    sink = RecordingSink(clock, seconds_per_play=20)
    events: list[AnnouncerEvent] = []
    with Announcer(sink, builder=builder, clock=clock, max_age_s=45,
                   on_event=events.append) as announcer:
        for number in range(1, 6):
            announcer.submit(call(f"A{number:03d}"))
        announcer.wait_idle(10)
    assert played(sink) == ["A001-q3", "A002-q3", "A003-q3"]
    assert [(event.kind, event.call.ticket, event.reason) for event in events] == [
        ("played", "A001", ""), ("played", "A002", ""), ("played", "A003", ""),
        ("dropped", "A004", "stale"), ("dropped", "A005", "stale")]


def test_recalls_are_announced_as_recalls(builder) -> None:
    """Given a first call then a recall of B105 at counter 12, when played, then the recall
    says "Xin mời lần nữa" with its own phrase clip."""
    clock = FakeClock()
    sink = RecordingSink(clock)
    with Announcer(sink, builder=builder, clock=clock, repeats=1) as announcer:
        announcer.submit(call("B105", 12))
        announcer.submit(call("B105", 12, recall=1, at=T0 + dt.timedelta(seconds=30)))
        announcer.wait_idle(10)
    first, again = sink.plays
    assert first["text"] == "Xin mời công dân có số thứ tự B một trăm linh năm đến quầy số mười hai"
    assert again["text"] == (
        "Xin mời lần nữa công dân có số thứ tự B một trăm linh năm đến quầy số mười hai")
    assert again["label"] == "B105-q12-r1"
    assert again["clips"][:2] == ("chime", "phrase_invite_again")


def test_a_burst_of_twenty_calls_drains_in_order(builder, tmp_path: Path) -> None:
    """Given 20 calls submitted within one second from two threads (each thread's calls
    in order), when drained into the WAV sink, then 20 files exist, named in the order
    played, and each thread's calls kept their order."""
    clock = FakeClock()
    events: list[AnnouncerEvent] = []
    with Announcer(WavSink(tmp_path), builder=builder, clock=clock,
                   on_event=events.append) as announcer:
        def submit(prefix: str) -> None:
            for number in range(1, 11):
                announcer.submit(call(f"{prefix}{number:03d}", counter=number,
                                      at=T0 + dt.timedelta(milliseconds=50 * number)))
        threads = [threading.Thread(target=submit, args=(prefix,)) for prefix in "AB"]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert announcer.wait_idle(30)
    tickets = [event.call.ticket for event in events]
    assert [event.kind for event in events] == ["played"] * 20
    for prefix in "AB":
        assert [t for t in tickets if t.startswith(prefix)] == [
            f"{prefix}{n:03d}" for n in range(1, 11)]
    files = sorted(path.name for path in tmp_path.glob("*.wav"))
    assert len(files) == 20
    assert [name.split("-")[3] for name in files] == tickets


def test_the_same_call_delivered_twice_is_announced_once(builder) -> None:
    """Given one call submitted twice (an MQTT redelivery), then it plays once and the
    second submit returns False."""
    clock = FakeClock()
    sink = RecordingSink(clock)
    with Announcer(sink, builder=builder, clock=clock) as announcer:
        assert announcer.submit(call("C021"))
        assert not announcer.submit(call("C021"))
        announcer.wait_idle(10)
    assert played(sink) == ["C021-q3"]


def test_volume_follows_the_hour_in_the_site_timezone(builder) -> None:
    """Given volumes {07:00: 0.8, 12:00: 0.5}, when calls come at 09:00, 12:30 and 06:00 in
    Hà Nội (UTC+7), then they play at 0.8, 0.5 and 0.5 (before 07:00: yesterday's last)."""
    clock = FakeClock()
    sink = RecordingSink(clock, seconds_per_play=1)
    volumes = {"07:00": 0.8, "12:00": 0.5}
    with Announcer(sink, builder=builder, clock=clock, volume_by_hour=volumes) as announcer:
        for moment in (T0, T0.replace(hour=5, minute=30), T0.replace(hour=23, minute=0)
                       - dt.timedelta(days=1)):
            clock.now = moment
            announcer.submit(call("A001", at=moment))
            announcer.submit(call("A002", at=moment))
            announcer.wait_idle(10)
    assert [entry["volume"] for entry in sink.plays] == [0.8, 0.8, 0.5, 0.5, 0.5, 0.5]


def test_volume_schedule_rejects_bad_keys() -> None:
    """Given a malformed time or a volume above 1, then ValueError names the key."""
    with pytest.raises(ValueError, match="7h"):
        VolumeSchedule({"7h": 0.5})
    with pytest.raises(ValueError, match="volume_by_hour.08:00"):
        VolumeSchedule({"08:00": 1.5})
    assert VolumeSchedule({}).volume_at(dt.time(3, 0)) == 1.0


def test_a_failing_sink_does_not_stop_the_queue(builder) -> None:
    """Given a sink that fails on the first call, then the second call still plays and
    the first is reported failed."""
    clock = FakeClock()
    sink = RecordingSink(clock, fail_first=True)
    events: list[AnnouncerEvent] = []
    with Announcer(sink, builder=builder, clock=clock, on_event=events.append) as announcer:
        announcer.submit(call("A001"))
        announcer.submit(call("A002"))
        announcer.wait_idle(10)
    assert [(event.kind, event.call.ticket) for event in events] == [
        ("failed", "A001"), ("played", "A002")]


def test_closing_never_cuts_the_call_playing(builder) -> None:
    """Given a call playing for 0.3 s (real time) and two waiting, when close() is called
    mid-play, then that call finishes, the waiting ones are dropped, and submit refuses."""
    clock = FakeClock()
    started = threading.Event()

    class SlowSink(RecordingSink):
        def play(self, utterance, *, volume=1.0, label=""):
            started.set()
            time.sleep(0.3)
            return super().play(utterance, volume=volume, label=label)

    sink = SlowSink(clock)
    announcer = Announcer(sink, builder=builder, clock=clock)
    for number in range(1, 4):
        announcer.submit(call(f"A{number:03d}"))
    assert started.wait(5)
    announcer.close()
    assert played(sink) == ["A001-q3"]
    assert not announcer.submit(call("A009"))
    assert sink.closed


def test_bad_ticket_plays_the_chime_only(builder) -> None:
    """Given a malformed ticket number, when announced, then only the chime plays."""
    clock = FakeClock()
    sink = RecordingSink(clock)
    with Announcer(sink, builder=builder, clock=clock) as announcer:
        announcer.submit(call("A-15"))
        announcer.wait_idle(10)
    assert sink.plays[0]["clips"] == ("chime",)


def test_wav_sink_file_lasts_as_long_as_its_clips(builder, tmp_path: Path) -> None:
    """Given A015 at counter 3 said twice, when written by the WAV sink at volume 0.5, then
    the file is a valid mono 16-bit WAV whose frame count is the sum of its clips and
    gaps, and its loudest sample is about half the unscaled one."""
    library = builder.library
    timing = library.manifest.timing
    utterance = builder.build("A015", 3, repeats=2)
    report = WavSink(tmp_path).play(utterance, volume=0.5, label="A015-q3")

    rate = library.sample_rate
    phrase = ["phrase_invite", "letter_a", "ten", "five_after_ten", "phrase_to_counter",
              "digit_3"]
    gaps_ms = [timing.phrase_gap_ms, timing.word_gap_ms, timing.word_gap_ms,
               timing.phrase_gap_ms, timing.phrase_gap_ms]
    phrase_frames = (sum(library.clip(name).size for name in phrase)
                     + sum(int(rate * gap / 1000) for gap in gaps_ms))
    expected = (library.clip("chime").size + int(rate * timing.after_chime_ms / 1000)
                + 2 * phrase_frames + int(rate * timing.between_repeats_ms / 1000))
    with wave.open(str(report.path), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, rate)
        assert wav.getnframes() == expected
        frames = wav.readframes(wav.getnframes())
    assert report.duration_s == pytest.approx(expected / rate)
    assert report.path.name.endswith("-0001-A015-q3.wav")
    import numpy as np
    loudest = np.abs(np.frombuffer(frames, "<i2")).max()
    assert loudest == pytest.approx(np.abs(utterance.samples).max() * 0.5 * 32767, abs=2)


def test_announcer_from_config_with_the_wav_sink(tmp_path: Path) -> None:
    """Given an [announcer] table with the wav sink, digit reading, one repeat, a template
    with punctuation and a volume, when built and a call submitted, then one WAV is written
    under audio_out (relative to the config's folder) and the call follows the table."""
    from display.announcer import announcer_from_config

    events: list[AnnouncerEvent] = []
    announcer = announcer_from_config(
        {"sink": "wav", "audio_out": "calls", "mode": "digits", "repeats": 1,
         "template": "Xin mời công dân có số thứ tự {ticket}, đến quầy số {counter}.",
         "volume_by_hour": {"00:00": 0.7}},
        base_dir=tmp_path, on_event=events.append, clock=FakeClock())
    with announcer:
        announcer.submit(call("A015"))
        announcer.wait_idle(10)
    assert len(list((tmp_path / "calls").glob("*-A015-q3.wav"))) == 1
    utterance = events[0].utterance
    assert utterance.text == "Xin mời công dân có số thứ tự A không một năm đến quầy số ba"
    assert utterance.clips.count("phrase_invite") == 1
    assert events[0].volume == 0.7


def test_announcer_from_config_refuses_bad_keys(tmp_path: Path) -> None:
    """Given bad [announcer] tables, then ValueError names the key; enabled = false gives
    no announcer; --audio-out turns any sink into wav."""
    from display.announcer import announcer_from_config

    for table, key in (({"volume": 1}, "announcer.volume"),
                       ({"sink": "alsa"}, "announcer.sink"),
                       ({"sink": "wav"}, "announcer.audio_out"),
                       ({"sink": "null", "mode": "mixed"}, "announcer.mode"),
                       ({"sink": "null", "template": "Mời {ticket}"}, "announcer.template"),
                       ({"sink": "null", "timezone": "Mars/Base"}, "announcer")):
        with pytest.raises(ValueError, match=key):
            announcer_from_config(table, base_dir=tmp_path)
    assert announcer_from_config({"enabled": False}) is None
    announcer = announcer_from_config({"sink": "pygame"}, audio_out=tmp_path / "out")
    assert announcer.sink.name == "wav" and announcer.sink.directory == tmp_path / "out"
    announcer.close()


def test_a_naive_call_time_is_taken_as_utc(builder) -> None:
    """Given a call whose time has no timezone, when announced, then it is taken as UTC:
    played when fresh, dropped when 30 s old with max_age_s 20."""
    clock = FakeClock()
    sink = RecordingSink(clock, seconds_per_play=1)
    events: list[AnnouncerEvent] = []
    naive = T0.replace(tzinfo=None)
    with Announcer(sink, builder=builder, clock=clock, max_age_s=20,
                   on_event=events.append) as announcer:
        announcer.submit(call("A001", at=naive))
        announcer.submit(call("A002", at=naive - dt.timedelta(seconds=30)))
        announcer.wait_idle(10)
    assert [(event.kind, event.call.ticket) for event in events] == [
        ("played", "A001"), ("dropped", "A002")]


def test_call_from_the_hubs_called_event() -> None:
    """Given a CalledEvent payload from the contract, when converted, then ticket, counter,
    recall and time are carried over."""
    from motcua.contract import CalledEvent

    event = CalledEvent.model_validate_json(
        '{"epoch": "e1", "seq": 7, "at": "2026-11-30T02:00:00+00:00", "ticket": "A015",'
        ' "counter": 3, "service": "dat-dai", "recall": 1}')
    assert CallAnnouncement.from_event(event) == CallAnnouncement("A015", 3, 1, T0)


def test_wav_sink_keeps_only_the_newest_files(builder, tmp_path: Path) -> None:
    """Given a WAV sink keeping 3 files, when 5 announcements are written, then the 3
    newest remain (serials 3, 4, 5)."""
    sink = WavSink(tmp_path, keep=3)
    utterance = builder.build("A001", 1)
    for number in range(1, 6):
        sink.play(utterance, label=f"A00{number}-q1")
    assert [path.name.split("-", 2)[2] for path in sorted(tmp_path.glob("*.wav"))] == [
        "0003-A003-q1.wav", "0004-A004-q1.wav", "0005-A005-q1.wav"]


def test_a_display_clock_minutes_off_still_announces_every_call(builder) -> None:
    """Given a TV whose clock runs 5 minutes ahead of the hub (and one 5 minutes behind),
    when calls stamped by the hub arrive, then they are announced, timed from their
    arrival, instead of all being dropped as stale (or kept forever)."""
    clock = FakeClock()
    sink = RecordingSink(clock, seconds_per_play=1)
    events: list[AnnouncerEvent] = []
    with Announcer(sink, builder=builder, clock=clock, max_age_s=45,
                   on_event=events.append) as announcer:
        announcer.submit(call("A001", at=T0 - dt.timedelta(minutes=5)))
        announcer.submit(call("A002", at=T0 + dt.timedelta(minutes=5)))
        announcer.wait_idle(10)
    assert [(event.kind, event.call.ticket) for event in events] == [
        ("played", "A001"), ("played", "A002")]
