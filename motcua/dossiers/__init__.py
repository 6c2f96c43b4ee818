"""Dossiers (hồ sơ) and the procedure catalog (thủ tục hành chính): issue 11.

A dossier arrives from the provincial one-stop system (``motcua dossier import`` or the
REST API), is looked up by the code on its appointment slip (kiosk ``lookup``, web), and
when it is ready a citizen takes a return-of-results ticket for it.

Pure modules (stdlib only, so a kiosk may import them without the hub's database stack):

- :mod:`.codes`: the dossier code on the slip, a lenient configurable pattern;
- :mod:`.status`: the status codes 1–10 of DOMAIN.md section 3 and their transitions;
- :mod:`.calendar`: working days, weekends and the holiday calendar (``holidays_vn.toml``);
- :mod:`.lateness`: sớm hạn / đúng hạn / quá hạn, computed, never stored;
- :mod:`.masking`: personal data as every public surface shows it;
- :mod:`.procedures`: a procedure of the catalog; :mod:`.search` finds one without diacritics.

The tables are in :mod:`motcua.store.schema` (migration 0004); dossier writes go through
the hub's single writer like every other change.
"""
