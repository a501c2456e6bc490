"""python-mistralclient: workflows."""

import json

from tests.functional import scenarios
from tests.functional.server_fixture import unique


def test_create_returns_workflow_objects(mc):
    name = unique("wf")
    (wf,) = mc.workflows.create(scenarios.hello(name))
    assert wf.name == name
    assert wf.namespace == ""
    assert wf.tags == ["demo", "greeting"]
    assert wf.input == 'who, greeting="Hello"'
    assert wf.scope == "private"
    assert wf.definition == scenarios.hello(name)
    assert wf.project_id
    assert wf.created_at and wf.updated_at is None
    assert len(wf.id) == 36
    # Like upstream, the interface travels as a JSON-encoded string.
    assert json.loads(wf.interface) == {"input": ["who", {"greeting": "Hello"}],
                                        "output": ["msg"]}


def test_create_from_a_file_public_in_a_namespace(mc, tmp_path, api_error):
    parent, child, ns = unique("parent"), unique("child"), unique("ns")
    path = tmp_path / "wf.yaml"
    path.write_text(scenarios.parent_and_child(parent, child))
    created = mc.workflows.create(str(path), namespace=ns, scope="public")
    assert sorted(w.name for w in created) == sorted([parent, child])
    assert {w.scope for w in created} == {"public"}
    assert {w.namespace for w in created} == {ns}
    with api_error(404):
        mc.workflows.get(parent)
    assert mc.workflows.get(parent, namespace=ns).namespace == ns


def test_get_by_name_and_id(mc):
    name = unique("wf")
    (wf,) = mc.workflows.create(scenarios.hello(name))
    by_name = mc.workflows.get(name)
    by_id = mc.workflows.get(wf.id)
    assert by_name.to_dict() == by_id.to_dict()
    assert by_name.id == wf.id
    assert by_name.definition == scenarios.hello(name)


def test_list_with_filters_sorting_and_pages(mc):
    prefix = unique("page")
    names = ["%s_%d" % (prefix, i) for i in range(3)]
    for name in names:
        mc.workflows.create(scenarios.failing(name))
    in_names = "in:" + ",".join(names)

    listed = mc.workflows.list(name=in_names, sort_keys="name")
    assert [w.name for w in listed] == names
    desc = mc.workflows.list(name=in_names, sort_keys="name", sort_dirs="desc")
    assert [w.name for w in desc] == names[::-1]
    page = mc.workflows.list(name=in_names, sort_keys="name", limit=2)
    assert [w.name for w in page] == names[:2]
    rest = mc.workflows.list(name=in_names, sort_keys="name", limit=2, marker=page[-1].id)
    assert [w.name for w in rest] == names[2:]
    only_names = mc.workflows.list(name=in_names, fields=["name", "scope"])
    assert {w.name for w in only_names} == set(names)
    assert all(w.id and w.scope == "private" for w in only_names)
    assert not any(hasattr(w, "definition") for w in only_names)
    tagged = mc.workflows.list(tags="greeting")
    assert not set(names) & {w.name for w in tagged}


def test_update_and_update_by_id(mc):
    name = unique("wf")
    (wf,) = mc.workflows.create(scenarios.hello(name))
    changed = scenarios.hello(name).replace("greeting: Hello", "greeting: Howdy")
    (updated,) = mc.workflows.update(changed)
    assert updated.id == wf.id
    assert updated.input == 'who, greeting="Howdy"'
    assert updated.updated_at
    single = mc.workflows.update(scenarios.failing(name), id=wf.id)
    assert single.id == wf.id
    assert single.tags == []
    assert mc.workflows.get(wf.id).definition == scenarios.failing(name)


def test_validate(mc):
    assert mc.workflows.validate(scenarios.hello(unique("wf"))) == {"valid": True}
    result = mc.workflows.validate(scenarios.invalid(unique("wf")))
    assert result["valid"] is False
    assert "nowhere" in result["error"] and "line 7" in result["error"]


def test_errors(mc, api_error):
    name = unique("wf")
    with api_error(400) as err:
        mc.workflows.create(scenarios.invalid(name))
    assert "nowhere" in err.message
    mc.workflows.create(scenarios.failing(name))
    with api_error(409):
        mc.workflows.create(scenarios.failing(name))
    with api_error(404) as err:
        mc.workflows.get(unique("missing"))
    assert "Workflow not found" in err.message


def test_delete(mc, api_error):
    name, ns = unique("wf"), unique("ns")
    (wf,) = mc.workflows.create(scenarios.failing(name))
    mc.workflows.create(scenarios.failing(name), namespace=ns)
    mc.workflows.delete(name)
    with api_error(404):
        mc.workflows.get(wf.id)
    assert mc.workflows.get(name, namespace=ns).namespace == ns
    mc.workflows.delete(name, namespace=ns)
    with api_error(404):
        mc.workflows.delete(name, namespace=ns)
