"""Credentials are masked in text and data meant for people."""

import logging

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
