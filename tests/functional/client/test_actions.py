"""python-mistralclient: the action catalogue, ad-hoc actions and run-action."""

from tests.functional.server_fixture import unique

ADHOC = """\
version: '2.0'
{name}:
  description: doubles n
  base: std.echo
  input: [n]
  base-input:
    output: <% $.n * 2 %>
"""


def test_list_and_get_system_actions(mc):
    actions = {a.name: a for a in mc.actions.list()}
    assert actions["std.echo"].input == "output, delay=0"
    assert actions["std.echo"].is_system is True
    assert "nova.servers_create" in actions and "cinder.backups_create" in actions
    got = mc.actions.get("cinder.backups_create")
    assert got.is_system is True and got.description.startswith("Creates a volume backup.")


def test_create_get_update_delete_adhoc(mc, api_error):
    name, ns = unique("double"), unique("ns")
    (created,) = mc.actions.create(ADHOC.format(name=name), namespace=ns)
    assert created.name == name and created.input == "n" and created.namespace == ns
    # The client sends the namespace as a path segment (an empty one by default).
    assert mc.actions.get(name, namespace=ns).id == created.id
    with api_error(404):
        mc.actions.get(name)
    (updated,) = mc.actions.update(ADHOC.format(name=name).replace("doubles", "twice"),
                                   namespace=ns, scope="public")
    assert updated.description == "twice n" and updated.scope == "public"
    assert mc.actions.validate(ADHOC.format(name=name)) == {"valid": True}
    assert mc.actions.validate("version: '2.0'\nx:\n  base: 1\n")["valid"] is False
    with api_error(404):
        mc.actions.delete("std.echo")
    mc.actions.delete(name, namespace=ns)
    with api_error(404):
        mc.actions.get(name, namespace=ns)


def test_run_action_sync_and_saved(mc):
    name = unique("double")
    mc.actions.create(ADHOC.format(name=name))
    a_ex = mc.action_executions.create(name, {"n": 4})
    assert a_ex.state == "SUCCESS" and a_ex.output == '{"result": 8}'
    saved = mc.action_executions.create("std.echo", {"output": "kept"}, save_result=True,
                                        run_sync=True)
    assert mc.action_executions.get(saved.id).output == '{"result": "kept"}'
    pending = mc.action_executions.create("std.async_noop")
    assert pending.state == "RUNNING"
    done = mc.action_executions.update(pending.id, state="SUCCESS", output={"x": 1})
    assert done.state == "SUCCESS" and done.output == '{"result": {"x": 1}}'
