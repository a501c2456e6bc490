"""workflow-* commands."""

from tests.functional import scenarios
from tests.functional.server_fixture import unique


def _create(mistral, definition_file, text, *options):
    return mistral("workflow-create", definition_file(text), *options, "-f", "json").json


def test_create_prints_a_table_with_the_upstream_columns(mistral, definition_file):
    name = unique("wf")
    result = mistral("workflow-create", definition_file(scenarios.hello(name)))
    assert result.table_headers == scenarios.WORKFLOW_COLUMNS
    (row,) = result.table_dicts()
    assert row["Name"] == name
    assert row["Namespace"] == ""
    assert row["Tags"] == "demo, greeting"
    assert row["Input"] == 'who, greeting="Hello"'
    assert row["Scope"] == "private"
    assert row["Updated at"] == "None"
    assert len(row["ID"]) == 36


def test_create_several_workflows_from_one_file(mistral, definition_file):
    parent, child = unique("parent"), unique("child")
    rows = _create(mistral, definition_file, scenarios.parent_and_child(parent, child))
    assert sorted(r["Name"] for r in rows) == sorted([parent, child])
    child_row = next(r for r in rows if r["Name"] == child)
    assert child_row["Input"] == "value"
    assert child_row["Tags"] == "<none>"


def test_create_public_and_in_a_namespace(mistral, definition_file):
    name, ns = unique("wf"), unique("ns")
    (row,) = _create(mistral, definition_file, scenarios.hello(name), "--public",
                     "--namespace", ns)
    assert row["Scope"] == "public"
    assert row["Namespace"] == ns
    # Without the namespace the workflow is not found; with it, it is.
    missing = mistral("workflow-get", name, expect=1)
    assert "not found" in missing.err.lower()
    shown = mistral("workflow-get", name, "--namespace", ns, "-f", "json").json
    assert shown["ID"] == row["ID"]
    assert shown["Namespace"] == ns


def test_get_by_name_and_by_id(mistral, definition_file):
    name = unique("wf")
    (created,) = _create(mistral, definition_file, scenarios.hello(name))
    by_name = mistral("workflow-get", name)
    assert by_name.table_headers == ["Field", "Value"]
    fields = by_name.show_fields()
    assert list(fields) == scenarios.WORKFLOW_COLUMNS
    assert fields["ID"] == created["ID"]
    assert fields["Input"] == 'who, greeting="Hello"'
    by_id = mistral("workflow-get", created["ID"], "-f", "yaml").yaml
    assert by_id == created


def test_get_single_columns_and_value_format(mistral, definition_file):
    name = unique("wf")
    (created,) = _create(mistral, definition_file, scenarios.hello(name))
    result = mistral("workflow-get", name, "-c", "ID", "-c", "Scope", "-f", "value")
    assert result.lines == [created["ID"], "private"]
    shell_vars = mistral("workflow-get", name, "-c", "Name", "-f", "shell")
    assert shell_vars.lines == ['name="%s"' % name]


def test_get_definition_prints_the_text_as_uploaded(mistral, definition_file):
    name = unique("wf")
    text = scenarios.hello(name)
    _create(mistral, definition_file, text)
    assert mistral("workflow-get-definition", name).out == text


def test_list_columns_formats_and_filters(mistral, definition_file):
    first, second = unique("wf"), unique("wf")
    _create(mistral, definition_file, scenarios.hello(first))
    _create(mistral, definition_file, scenarios.failing(second))

    table = mistral("workflow-list")
    assert table.table_headers == scenarios.WORKFLOW_COLUMNS
    names = [row["Name"] for row in table.table_dicts()]
    assert first in names and second in names

    only = mistral("workflow-list", "--filter", "name=%s" % first, "-f", "json").json
    assert [w["Name"] for w in only] == [first]
    assert set(only[0]) == set(scenarios.WORKFLOW_COLUMNS)

    csv_out = mistral("workflow-list", "--filter", "name=%s" % second, "-f", "csv",
                      "-c", "Name", "-c", "Scope")
    assert csv_out.lines == ['"Name","Scope"', '"%s","private"' % second]

    tagged = mistral("workflow-list", "--filter", "tags=greeting", "-c", "Name",
                     "-f", "value")
    assert first in tagged.lines and second not in tagged.lines


def test_list_limit_marker_and_sorting(mistral, definition_file):
    prefix = unique("page")
    names = ["%s_%d" % (prefix, i) for i in range(3)]
    for name in names:
        _create(mistral, definition_file, scenarios.failing(name))
    name_filter = "name=in:%s" % ",".join(names)

    ascending = mistral("workflow-list", "--filter", name_filter, "--sort_keys", "name",
                        "-c", "Name", "-c", "ID", "-f", "json").json
    assert [w["Name"] for w in ascending] == names
    descending = mistral("workflow-list", "--filter", name_filter, "--sort_keys", "name",
                         "--sort_dirs", "desc", "-c", "Name", "-f", "value")
    assert descending.lines == names[::-1]

    first_page = mistral("workflow-list", "--filter", name_filter, "--sort_keys", "name",
                         "--limit", "2", "-c", "Name", "-f", "value")
    assert first_page.lines == names[:2]
    next_page = mistral("workflow-list", "--filter", name_filter, "--sort_keys", "name",
                        "--limit", "2", "--marker", ascending[1]["ID"], "-c", "Name",
                        "-f", "value")
    assert next_page.lines == names[2:]


def test_update_from_a_file(mistral, definition_file):
    name = unique("wf")
    (created,) = _create(mistral, definition_file, scenarios.hello(name))
    changed = scenarios.hello(name).replace("greeting: Hello", "greeting: Howdy")
    result = mistral("workflow-update", definition_file(changed))
    assert result.table_headers == scenarios.WORKFLOW_COLUMNS
    (row,) = result.table_dicts()
    assert row["ID"] == created["ID"]
    assert row["Input"] == 'who, greeting="Howdy"'
    assert row["Updated at"] != "None"
    assert mistral("workflow-get-definition", name).out == changed


def test_update_by_id(mistral, definition_file):
    name = unique("wf")
    (created,) = _create(mistral, definition_file, scenarios.failing(name))
    (row,) = mistral("workflow-update", definition_file(scenarios.hello(name)), "--id",
                     created["ID"], "-f", "json").json
    assert row["ID"] == created["ID"]
    assert row["Tags"] == "demo, greeting"


def test_validate(mistral, definition_file):
    good = mistral("workflow-validate", definition_file(scenarios.hello(unique("wf"))))
    assert good.show_fields() == {"Valid": "True", "Error": "None"}

    bad = mistral("workflow-validate", definition_file(scenarios.invalid(unique("wf"))),
                  "-f", "json").json
    assert bad["Valid"] is False
    assert "nowhere" in bad["Error"]
    assert "line 7" in bad["Error"]


def test_create_invalid_definition_prints_the_server_error(mistral, definition_file):
    name = unique("wf")
    result = mistral("workflow-create", definition_file(scenarios.invalid(name)), expect=1)
    assert "nowhere" in result.err
    assert result.out == ""
    assert name not in mistral("workflow-list", "-c", "Name", "-f", "value").lines


def test_create_duplicate_is_refused(mistral, definition_file):
    path = definition_file(scenarios.failing(unique("wf")))
    mistral("workflow-create", path)
    result = mistral("workflow-create", path, expect=1)
    assert "duplicate" in result.err.lower() or "exists" in result.err.lower()


def test_missing_definition_file_fails_before_any_request(mistral, tmp_path):
    missing = tmp_path / "nope.yaml"
    # The URL points nowhere: the file error must come first.
    result = mistral("--os-mistral-url", "http://127.0.0.1:9/v2", "workflow-create",
                     str(missing), expect=2, url=False)
    assert "can't open" in result.err
    assert "nope.yaml" in result.err
    assert "Unable to connect" not in result.err


def test_delete(mistral, definition_file):
    first, second = unique("wf"), unique("wf")
    _create(mistral, definition_file, scenarios.failing(first))
    _create(mistral, definition_file, scenarios.failing(second))
    result = mistral("workflow-delete", first, second)
    assert result.lines == [
        "Request to delete workflow %s has been accepted." % first,
        "Request to delete workflow %s has been accepted." % second,
    ]
    gone = mistral("workflow-get", first, expect=1)
    assert "Workflow not found" in gone.err


def test_delete_reports_each_failure_and_exits_non_zero(mistral, definition_file):
    name, missing = unique("wf"), unique("missing")
    _create(mistral, definition_file, scenarios.failing(name))
    result = mistral("workflow-delete", missing, name, expect=1)
    assert "Request to delete workflow %s has been accepted." % name in result.out
    assert missing in result.err and "not found" in result.err.lower()
    assert "Unable to delete the specified workflow(s)." in result.err


def test_delete_in_a_namespace(mistral, definition_file):
    name, ns = unique("wf"), unique("ns")
    _create(mistral, definition_file, scenarios.failing(name), "--namespace", ns)
    mistral("workflow-delete", name, expect=1)
    mistral("workflow-delete", name, "--namespace", ns)
    mistral("workflow-get", name, "--namespace", ns, expect=1)
