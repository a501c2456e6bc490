"""Task policies as decisions: retry, delays and the timeout message."""

import pytest

from mistral_svc.workflow import policies, states
from mistral_svc.workflow.policies import PolicyError, Retry

S = states


def test_retry_from_values_converts_types():
    r = Retry.from_values("3", "1.5", 0, "yes")
    assert r == Retry(count=3, delay=1.5, break_on=False, continue_on=True)
    assert isinstance(r.count, int) and isinstance(r.delay, float)


def test_retry_defaults():
    assert Retry.from_values(2) == Retry(count=2, delay=0, break_on=False, continue_on=None)
    assert Retry.from_values(2, None).delay == 0


def test_continue_on_that_evaluated_falsy_is_false_not_absent():
    assert Retry.from_values(2, continue_on=0).continue_on is False
    assert Retry.from_values(2, continue_on="").continue_on is False


@pytest.mark.parametrize("count", [-1, "x", None, True, [1]])
def test_bad_retry_count(count):
    with pytest.raises(PolicyError, match="retry count must"):
        Retry.from_values(count)


@pytest.mark.parametrize("delay", [-0.5, "soon", True, [1]])
def test_bad_retry_delay(delay):
    with pytest.raises(PolicyError, match="retry delay must"):
        Retry.from_values(1, delay)


def test_policy_error_is_a_value_error():
    assert issubclass(PolicyError, ValueError)


@pytest.mark.parametrize("attempts,expected", [(0, True), (1, True), (2, False), (5, False)])
def test_failed_task_is_retried_until_count(attempts, expected):
    assert policies.should_retry(Retry(count=2), attempts, S.ERROR) is expected


def test_zero_count_never_retries():
    assert not policies.should_retry(Retry(count=0), 0, S.ERROR)


def test_no_policy_never_retries():
    assert not policies.should_retry(None, 0, S.ERROR)


def test_break_on_stops_a_failing_task():
    assert not policies.should_retry(Retry(count=5, break_on=True), 0, S.ERROR)


def test_successful_task_is_not_retried_without_continue_on():
    assert not policies.should_retry(Retry(count=5), 0, S.SUCCESS)


def test_continue_on_polls_a_successful_task_until_count():
    r = Retry(count=2, continue_on=True)
    assert policies.should_retry(r, 0, S.SUCCESS)
    assert policies.should_retry(r, 1, S.SUCCESS)
    assert not policies.should_retry(r, 2, S.SUCCESS)


def test_continue_on_false_stops_polling():
    assert not policies.should_retry(Retry(count=5, continue_on=False), 0, S.SUCCESS)


def test_continue_on_false_breaks_the_loop_of_a_failing_task_too():
    # "If it evaluates to 'false' then policy will break the iteration."
    assert not policies.should_retry(Retry(count=5, continue_on=False), 0, S.ERROR)


def test_continue_on_true_keeps_retrying_a_failing_task():
    assert policies.should_retry(Retry(count=5, continue_on=True), 0, S.ERROR)


@pytest.mark.parametrize("state", [S.CANCELLED, S.RUNNING, S.PAUSED])
def test_other_states_are_not_retried(state):
    assert not policies.should_retry(Retry(count=5, continue_on=True), 0, state)


@pytest.mark.parametrize("value,seconds", [
    (None, 0), (0, 0), (5, 5.0), ("2.5", 2.5), (0.25, 0.25), ("10", 10.0),
])
def test_delay_seconds(value, seconds):
    result = policies.delay_seconds("wait-before", value)
    assert result == seconds
    assert isinstance(result, (int, float))


@pytest.mark.parametrize("value", [-1, "later", True, [], {}])
def test_bad_delay_names_the_policy(value):
    with pytest.raises(PolicyError, match="^wait-after must"):
        policies.delay_seconds("wait-after", value)


@pytest.mark.parametrize("seconds,text", [
    (30, "Task timed out [timeout(s)=30]."),
    (30.0, "Task timed out [timeout(s)=30]."),
    (1.5, "Task timed out [timeout(s)=1.5]."),
])
def test_timeout_message(seconds, text):
    assert policies.timeout_message(seconds) == text
