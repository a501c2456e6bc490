"""Credentials are masked in text and data meant for people."""

import logging
import time

import pytest

from mistral_svc import redaction


@pytest.mark.parametrize("text, secret, kept", [
    ("GET http://alice:pw1@example.org/x failed", "pw1", "http://***@example.org/x"),
    ("mysql --password=hunter2 -e 'select 1'", "hunter2", "--password=***"),
    ("client --password hunter2 -v", "hunter2", "--password *** -v"),
    ("{'password': 'hunter2', 'token': 'abc', 'n': 1}", "abc", "'token': '***', 'n': 1"),
    ('{"private_key": "-----BEGIN KEY x", "n": 2}', "BEGIN", '"private_key": "***"'),
    ("auth=alice:pw&x=1", "alice:pw", "auth=***&x=1"),
    ("X-Auth-Token: gAAAAB", "gAAAAB", "X-Auth-Token: ***"),
])
def test_mask_text(text, secret, kept):
    masked = redaction.mask_text(text)
    assert secret not in masked
    assert kept in masked


def test_text_without_secrets_is_untouched():
    text = "Failed to run action [action_ex_id=1, action_cls=std.echo]: Unknown token"
    assert redaction.mask_text(text) == text


def test_redact_masks_sensitive_keys_at_any_depth_without_recursion():
    data = {"a": {"Password": "x", "url": "http://u:p@h/"}, "l": [{"api_key": 1}], "n": 3}
    assert redaction.redact(data) == {"a": {"Password": "***", "url": "http://***@h/"},
                                      "l": [{"api_key": "***"}], "n": 3}
    deep = leaf = {}
    for _ in range(5000):
        leaf["k"] = {}
        leaf = leaf["k"]
    redaction.redact(deep)  # no RecursionError


def test_log_records_are_masked(caplog):
    logger = logging.getLogger("tests.redaction")
    handler = logging.Handler()
    seen = []
    handler.emit = lambda record: seen.append(record.getMessage())
    logger.addHandler(handler)
    try:
        redaction.install_log_filter(logger)
        logger.warning("calling %s with password=%s", "http://bob:pw9@h/", "hunter2")
    finally:
        logger.removeHandler(handler)
    assert seen == ["calling http://***@h/ with password=***"]


@pytest.mark.parametrize("text", [
    "token" * 20000,                       # a key repeated inside one long word
    "a" * 100000 + "password",
    "a." * 50000 + "@",                    # a long run that might be a URL scheme
    "--token" * 20000,
    'token="' * 20000,
])
def test_masking_takes_time_in_proportion_to_the_text(text):
    # state_info and log lines quote what users send: masking them must not hang the
    # engine on hostile text (these took minutes when keys were looked for in words).
    started = time.monotonic()
    redaction.mask_text(text)
    assert time.monotonic() - started < 2


def test_a_value_after_a_key_that_is_not_sensitive_is_still_looked_at():
    assert (redaction.mask_text("a=password=x; run --secret y --no z")
            == "a=password=***; run --secret *** --no z")
