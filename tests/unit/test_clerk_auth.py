"""The clerk panel's secret key fallback and its wrong-password limiter."""

from __future__ import annotations

import stat

from motcua.server.clerk_auth import LoginLimiter, resolve_secret_key


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_secret_key_comes_from_config_then_environment(tmp_path):
    """Given a key in the config and another in MOTCUA_SECRET_KEY, then the config wins,
    and without it the environment; no file is written."""
    environ = {"MOTCUA_SECRET_KEY": "from-env", "MOTCUA_SECRET_KEY_FILE": str(tmp_path / "k")}

    assert resolve_secret_key({"SECRET_KEY": "from-config"}, environ) == "from-config"
    assert resolve_secret_key({}, environ) == "from-env"
    assert not (tmp_path / "k").exists()


def test_a_generated_key_is_private_and_survives_a_restart(tmp_path):
    """Given no key configured, when resolved twice (two hub starts), then one 64-hex key
    is written to the file with mode 0600 and both starts use it."""
    path = tmp_path / "var" / "secret_key"

    first = resolve_secret_key({}, {}, default_file=path)
    second = resolve_secret_key({}, {}, default_file=path)

    assert first == second and len(first) == 64 and int(first, 16) >= 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_five_failures_block_the_username_until_the_window_passes():
    """Given 5 failures for canbo1 within 300 s, then canbo1 waits 300 s from the first,
    another username from another address may try, and after the window canbo1 may too."""
    clock = Clock()
    limiter = LoginLimiter(per_user=5, per_address=20, window_s=300, clock=clock)
    for _ in range(5):
        assert limiter.retry_after("canbo1", "10.0.0.5") is None
        limiter.failed("canbo1", "10.0.0.5")
        clock.now += 10

    assert limiter.retry_after("canbo1", "10.0.0.9") == 250
    assert limiter.retry_after("canbo2", "10.0.0.9") is None
    clock.now += 250
    assert limiter.retry_after("canbo1", "10.0.0.9") is None


def test_an_address_guessing_many_usernames_is_blocked_and_a_success_does_not_unblock_it():
    """Given 3 failures from one address over 3 usernames (limit 3), then a fourth
    username from there must wait, even after one of them logs in successfully."""
    clock = Clock()
    limiter = LoginLimiter(per_user=5, per_address=3, window_s=60, clock=clock)
    for name in ("a1", "a2", "a3"):
        limiter.failed(name, "10.0.0.5")

    limiter.succeeded("a1")

    assert limiter.retry_after("a4", "10.0.0.5") == 60
    assert limiter.retry_after("a4", "10.0.0.6") is None


def test_the_limiter_forgets_the_oldest_keys_past_its_bound():
    """Given a bound of 4 keys, when 3 usernames fail from 3 addresses (6 keys), then only
    the 4 newest keys are kept."""
    limiter = LoginLimiter(per_user=1, per_address=1, window_s=60, clock=Clock(), max_keys=4)
    for n in range(3):
        limiter.failed(f"u{n}", f"10.0.0.{n}")

    assert sorted(limiter._failures) == [("address", "10.0.0.1"), ("address", "10.0.0.2"),
                                         ("user", "u1"), ("user", "u2")]
