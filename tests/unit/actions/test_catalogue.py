"""The system catalogue: names, input signatures as action-get shows them, input checks."""

import pytest

from mistral_svc.actions import base, registry


@pytest.mark.parametrize("name, signature", [
    ("std.noop", ""),
    ("std.async_noop", ""),
    ("std.echo", "output, delay=0"),
    ("std.fail", "error_data=null"),
    ("std.sleep", "seconds=1"),
    ("std.test_dict", 'size=0, key_prefix="", val=""'),
    ("std.http", 'url, method="GET", params=null, body=null, json=null, headers=null, '
                 "cookies=null, auth=null, timeout=null, allow_redirects=null, "
                 "proxies=null, verify=null"),
    ("std.mistral_http", 'url, method="GET", params=null, body=null, json=null, '
                         "headers=null, cookies=null, auth=null, timeout=null, "
                         "allow_redirects=null, proxies=null, verify=null"),
    ("std.email", "from_addr, to_addrs, smtp_server, reply_to=null, cc_addrs=null, "
                  "bcc_addrs=null, smtp_password=null, subject=null, body=null, "
                  "html_body=null"),
    ("std.ssh", 'cmd, host, username, password="", private_key_filename=null, '
                "private_key=null, return_result_on_error=false"),
    ("std.ssh_proxied", "cmd, host, username, private_key_filename, gateway_host, "
                        "gateway_username=null, password=null, proxy_command=null, "
                        "private_key=null"),
    ("std.wait_ssh", "host, username, password=null, private_key_filename=null, "
                     "private_key=null, timeout=60, interval=1"),
    ("std.javascript", "script, context=null"),
    ("std.js", "script, context=null"),
])
def test_std_signatures(name, signature):
    desc = registry.get(name)
    assert desc is not None and desc.name == name
    assert desc.params_spec == signature
    assert desc.description


def test_sync_and_async_actions():
    assert registry.get("std.async_noop").is_sync is False
    assert registry.get("std.mistral_http").is_sync is False
    assert registry.get("std.http").is_sync is True


def test_check_input_reports_missing_and_unexpected():
    with pytest.raises(base.ActionError) as e:
        base.check_input(registry.get("std.email"), {"to_addrs": ["a"], "colour": "red"})
    assert "missing=['from_addr', 'smtp_server']" in str(e.value)
    assert "unexpected=['colour']" in str(e.value)
    assert "name=std.email" in str(e.value)
    base.check_input(registry.get("std.echo"), {"output": 1, "delay": 0})


def test_unknown_name():
    assert registry.get("std.nothing_like_this") is None
