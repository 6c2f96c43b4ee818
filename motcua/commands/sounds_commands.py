"""``motcua sounds``: the call-out voice.

* ``motcua sounds build --engine espeak|gtts [--voice NAME]``: render every clip of the
  manifest (gTTS online, espeak-ng offline), trimmed and loudness-normalised;
* ``motcua sounds say A015 3 [--output FILE.wav]``: write the announcement to a WAV file;
* ``motcua sounds words A015 3``: print the words it would speak (``--clips``: the clips);
* ``motcua sounds level --voice NAME``: trim and level a center's own recordings in place;
* ``motcua sounds check``: list the clips of a voice that are missing or unreadable.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sounds", help="giọng đọc gọi số (the call-out voice: build clips, say, words)",
        description="The call-out voice: a chime, then 'Xin mời công dân có số thứ tự … đến "
        "quầy số …', assembled from the clips named in sounds/manifest.toml.")
    parser.add_argument("--sounds-dir", type=Path, default=None,
                        help="folder holding manifest.toml (default: the repository's "
                        "sounds/, or $MOTCUA_SOUNDS_DIR)")
    parser.set_defaults(handler=lambda args: (parser.print_help(), 2)[1])
    actions = parser.add_subparsers(dest="sounds_command", metavar="ACTION")

    build = actions.add_parser("build", help="tạo lại các đoạn âm (render every clip)")
    build.add_argument("--engine", choices=("espeak", "gtts"), default="espeak",
                       help="espeak: espeak-ng, offline; gtts: Google TTS, online")
    build.add_argument("--voice", help="voice of the manifest (default: its default voice)")
    build.add_argument("--only", help="comma-separated clip names (default: all)")
    build.add_argument("--no-fallback", action="store_true",
                       help="with gtts, fail a clip instead of making it with espeak-ng")
    build.add_argument("--quality", type=float, default=0.3,
                       help="OGG Vorbis quality 0..1 (default 0.3)")
    build.set_defaults(handler=run_build)

    for name, handler, help_text in (
            ("say", run_say, "ghi lời gọi ra tệp WAV (write the announcement to a WAV file)"),
            ("words", run_words, "in các từ sẽ đọc (print the words that would be spoken)")):
        action = actions.add_parser(name, help=help_text)
        action.add_argument("ticket", help="ticket number, e.g. A015")
        action.add_argument("counter", type=int, help="counter number, e.g. 3")
        action.add_argument("--recall", type=int, default=0,
                            help="recall count (0: first call; above 0: 'Xin mời lần nữa')")
        action.add_argument("--mode", choices=("whole", "digits"), default="whole")
        action.add_argument("--dialect", choices=("north", "south"), default="north")
        action.add_argument("--template", help="phrase with {ticket} and {counter}")
        action.add_argument("--recall-template", help="recall phrase with {ticket}, {counter}")
        action.add_argument("--voice", help="voice of the manifest")
        action.set_defaults(handler=handler)
        if name == "say":
            action.add_argument("--output", "-o", type=Path,
                                help="WAV file (default: TICKET-COUNTER.wav here)")
            action.add_argument("--repeats", type=int, default=2)
            action.add_argument("--volume", type=float, default=1.0)
        else:
            action.add_argument("--clips", action="store_true",
                                help="also print the clip names, one line")
            action.add_argument("--json", action="store_true",
                                help="print the announcement plan (clips, pauses) as JSON")

    level = actions.add_parser(
        "level", help="cắt lặng, chỉnh âm lượng bản thu (trim and level recorded clips)")
    level.add_argument("--voice", required=True, help="voice whose files are levelled")
    level.add_argument("--quality", type=float, default=0.3)
    level.set_defaults(handler=run_level)

    check = actions.add_parser("check", help="kiểm tra các đoạn âm (list missing clips)")
    check.add_argument("--voice", help="voice of the manifest")
    check.set_defaults(handler=run_check)


def _builder(args: argparse.Namespace):
    from motcua.speech.sound import AnnouncementBuilder, ClipLibrary

    options = {"template": args.template, "recall_template": args.recall_template}
    return AnnouncementBuilder(ClipLibrary.open(args.sounds_dir, args.voice), mode=args.mode,
                               dialect=args.dialect,
                               **{key: value for key, value in options.items() if value})


def _bad_input(exc: Exception) -> int:
    print(f"không đọc được / cannot read: {exc}", file=sys.stderr)
    return 2


def run_words(args: argparse.Namespace) -> int:
    from motcua.speech import BadNumber, TemplateError, announcement_text, plan_clips

    try:
        builder = _builder(args)
        words = builder.words(args.ticket, args.counter, recall=args.recall)
    except (BadNumber, TemplateError, KeyError) as exc:
        return _bad_input(exc)
    if args.json:
        import json

        plan = builder.plan(args.ticket, args.counter, recall=args.recall, repeats=2)
        print(json.dumps(plan.as_json(), ensure_ascii=False, indent=2))
        return 0
    print(announcement_text(words))
    if args.clips:
        plan = plan_clips(words, builder.library.manifest)
        print(" ".join(plan.clips))
        if plan.missing:
            print(f"thiếu đoạn âm / no clip for: {' '.join(plan.missing)}", file=sys.stderr)
            return 1
    return 0


def run_say(args: argparse.Namespace) -> int:
    from motcua.speech import TemplateError
    from motcua.speech.sound.pcm import wav_bytes

    try:
        builder = _builder(args)
    except (TemplateError, KeyError) as exc:
        return _bad_input(exc)
    utterance = builder.build(args.ticket, args.counter, recall=args.recall,
                              repeats=max(1, args.repeats))
    output = args.output or Path(f"{args.ticket}-{args.counter}.wav")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(wav_bytes(utterance.pcm16(args.volume), utterance.sample_rate))
    note = f" (fallback: {utterance.fallback})" if utterance.fallback else ""
    print(f"{output}: {utterance.duration_s:.2f} s, {utterance.text or '(chime)'}{note}")
    return 0


def run_build(args: argparse.Namespace) -> int:
    from motcua.speech.sound.build import EspeakEngine, build_voice, engine_for
    from motcua.speech.sound.library import default_sounds_dir, load_manifest

    sounds_dir = args.sounds_dir or default_sounds_dir()
    manifest = load_manifest(sounds_dir)
    try:
        voice = manifest.voice(args.voice)
    except KeyError as exc:
        return _bad_input(exc)
    engine = engine_for(args.engine, voice)
    fallback = None
    if args.engine == "gtts" and not args.no_fallback:
        fallback = EspeakEngine(voice.espeak_voice, voice.espeak_speed)
    only = [name.strip() for name in args.only.split(",")] if args.only else None
    report = build_voice(manifest, sounds_dir, engine=engine, voice=voice.name,
                         fallback=fallback, only=only, quality=args.quality)
    engines = sorted(set(report.made_by.values()))
    print(f"{report.voice_dir}: {len(report.made_by)} clips made ({', '.join(engines)}), "
          f"{len(report.failed)} failed, {report.size_bytes / 1024:.0f} KB")
    for name, reason in report.failed.items():
        print(f"  {name}: {reason}", file=sys.stderr)
    return 1 if report.failed else 0


def run_level(args: argparse.Namespace) -> int:
    from motcua.speech.sound.build import level_voice
    from motcua.speech.sound.library import default_sounds_dir, load_manifest

    sounds_dir = args.sounds_dir or default_sounds_dir()
    try:
        report = level_voice(load_manifest(sounds_dir), sounds_dir, voice=args.voice,
                             quality=args.quality)
    except KeyError as exc:
        return _bad_input(exc)
    print(f"{report.voice_dir}: {len(report.made_by)} clips levelled, "
          f"{len(report.failed)} failed")
    for name, reason in report.failed.items():
        print(f"  {name}: {reason}", file=sys.stderr)
    return 1 if report.failed else 0


def run_check(args: argparse.Namespace) -> int:
    from motcua.speech.sound import ClipLibrary

    try:
        library = ClipLibrary.open(args.sounds_dir, args.voice)
    except KeyError as exc:
        return _bad_input(exc)
    missing = library.preload()
    print(f"{library.voice_dir}: {len(library.manifest.clips) - len(missing)} of "
          f"{len(library.manifest.clips)} clips, {library.size_bytes() / 1024:.0f} KB")
    for name in missing:
        print(f"  thiếu / missing: {name} ({library.path(name).name})")
    return 1 if missing else 0
