"""Global options, error handling and the command set of the mistral-svc shell."""

import pytest

from mistral_svc.cli import shell

EXPECTED_COMMANDS = {
    f"{resource}-{verb}"
    for resource, verbs in {
        "workbook": "create delete get get-definition list update validate",
        "workflow": "create delete get get-definition list update validate",
        "action": "create delete get get-definition list update validate",
        "execution": "create delete get get-input get-output get-published get-report "
        "get-sub-executions list update",
        "task": "get get-published get-result get-sub-executions list rerun",
        "action-execution": "delete get get-input get-output list update",
        "cron-trigger": "create delete get list",
        "environment": "create delete get list update",
        "member": "create delete get list update",
        "event-trigger": "create delete get list",
        "code-source": "create delete get get-content list update",
        "dynamic-action": "create delete get list update",
    }.items()
    for verb in verbs.split()
} | {"run-action", "service-list"}


def _registered():
    return {name for name, _ in shell.build_command_manager()}


def test_all_commands_registered():
    assert EXPECTED_COMMANDS <= _registered()


def test_token_header_and_env_url(fake, capsys, monkeypatch):
    monkeypatch.setenv("MISTRAL_URL", fake.url)
    monkeypatch.setenv("OS_AUTH_TOKEN", "secret-token")
    fake.route("GET", "/services", {"services": []})
    assert shell.main(["service-list"]) == 0
    headers = {k.lower(): v for k, v in fake.only()["headers"].items()}
    assert headers["x-auth-token"] == "secret-token"
    out = capsys.readouterr().out
    assert "Name" in out and "Type" in out  # the header row shows even when empty


def test_no_token_header_by_default(fake, run):
    fake.route("GET", "/services", {"services": []})
    assert run("service-list", "-f", "json")[1].strip() == "[]"
    assert "x-auth-token" not in {k.lower() for k in fake.only()["headers"]}


def test_unknown_command(run):
    code, _, _ = run("no-such-command")
    assert code != 0


def test_connection_refused_is_reported(capsys):
    code = shell.main(["--os-mistral-url", "http://127.0.0.1:9/v2", "workflow-list"])
    assert code == 1
    assert "Unable to connect to the Mistral API" in capsys.readouterr().err


def test_non_json_error_body(fake, run):
    fake.route("GET", "/workflows/x", "Internal Server Error", status=500)
    code, _, err = run("workflow-get", "x")
    assert code == 1 and "Internal Server Error" in err


def _arguments(parser):
    """(positional dests, option strings) of a parser, minus cliff's output options."""
    positionals, options = [], set()
    for action in parser._actions:
        if action.option_strings:
            options.update(action.option_strings)
        else:
            positionals.append(action.dest)
    return positionals, options


def test_arguments_match_official_client():
    mistral_shell = pytest.importorskip("mistralclient.shell")
    official = mistral_shell.MistralShell._get_commands_v2()
    ours = dict(shell.build_command_manager())
    for name in sorted(EXPECTED_COMMANDS - {"service-list"}):
        ref_parser = official[name](None, None).get_parser(name)
        our_parser = ours[name].load()(None, None).get_parser(name)
        ref_pos, ref_opts = _arguments(ref_parser)
        our_pos, our_opts = _arguments(our_parser)
        assert our_pos == ref_pos, name
        # Creating/updating definitions needs no pagination options.
        missing = ref_opts - our_opts - {"--marker", "--limit", "--sort_keys", "--sort_dirs",
                                         "--filter"}
        assert not missing, (name, missing)
