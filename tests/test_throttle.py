"""The per-user throttle: a sliding minute, one request in progress, exemptions, bounded memory.

Time is passed in, so these tests move a fake clock instead of sleeping.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from summaries.errors import Throttled
from summaries.throttle import Throttle

T0 = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def run(throttle: Throttle, user_id: int, now: datetime) -> None:
    """One whole request by `user_id` at `now` (raises `Throttled` if refused)."""
    with throttle.hold(user_id, now):
        pass


def seconds(n: float) -> datetime:
    return T0 + timedelta(seconds=n)


def test_the_request_over_the_limit_is_told_when_to_retry() -> None:
    throttle = Throttle(6)
    for n in range(6):
        run(throttle, 42, seconds(5 * n))
    with pytest.raises(Throttled) as refused:
        run(throttle, 42, seconds(40))
    assert refused.value.retry_after == 20
    assert str(refused.value) == (
        "You're sending links and texts faster than I can read them: try again in 20 s."
    )


def test_the_window_slides_one_request_at_a_time() -> None:
    throttle = Throttle(2)
    run(throttle, 42, seconds(0))
    run(throttle, 42, seconds(30))
    with pytest.raises(Throttled):
        run(throttle, 42, seconds(59.5))
    run(throttle, 42, seconds(60))
    with pytest.raises(Throttled) as refused:
        run(throttle, 42, seconds(61))
    assert refused.value.retry_after == 29


def test_refused_requests_do_not_count_and_waits_round_up() -> None:
    throttle = Throttle(1)
    run(throttle, 42, seconds(0))
    for moment in (1, 2, 3):
        with pytest.raises(Throttled):
            run(throttle, 42, seconds(moment))
    with pytest.raises(Throttled) as refused:
        run(throttle, 42, seconds(59.2))
    assert refused.value.retry_after == 1
    run(throttle, 42, seconds(60))


def test_each_user_has_their_own_count() -> None:
    throttle = Throttle(1)
    run(throttle, 42, T0)
    with pytest.raises(Throttled):
        run(throttle, 42, T0)
    run(throttle, 43, T0)


def test_only_one_request_per_user_is_in_progress() -> None:
    throttle = Throttle(6)
    with throttle.hold(42, T0):
        with pytest.raises(Throttled, match="still reading what you sent last"):
            run(throttle, 42, T0)
        run(throttle, 43, T0)
    run(throttle, 42, T0)


def test_a_failed_request_still_counts_and_is_no_longer_in_progress() -> None:
    throttle = Throttle(2)
    with pytest.raises(RuntimeError), throttle.hold(42, T0):
        raise RuntimeError("the page could not be read")
    run(throttle, 42, T0)
    with pytest.raises(Throttled, match="faster than I can read them"):
        run(throttle, 42, T0)


def test_operators_are_exempt_and_zero_disables_the_throttle() -> None:
    exempt = Throttle(1, exempt={42})
    off = Throttle(0)
    for _ in range(20):
        run(exempt, 42, T0)
        run(off, 43, T0)
    with exempt.hold(42, T0), off.hold(43, T0):
        run(exempt, 42, T0)
        run(off, 43, T0)
    with pytest.raises(Throttled):
        run(exempt, 7, T0)
        run(exempt, 7, T0)


def test_users_who_went_quiet_are_forgotten() -> None:
    throttle = Throttle(6)
    for user_id in range(1000):
        run(throttle, user_id, T0)
    assert throttle.tracked_users() == 1000
    run(throttle, 5000, seconds(61))
    assert throttle.tracked_users() == 1


def test_a_refusal_is_logged_with_the_user_id(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="summaries.throttle")
    throttle = Throttle(1)
    run(throttle, 42, T0)
    with pytest.raises(Throttled):
        run(throttle, 42, seconds(15))
    [record] = caplog.records
    assert record.levelno == logging.INFO
    assert record.getMessage() == (
        "Throttled user 42: 1 requests in the last minute; may retry in 45 s"
    )
