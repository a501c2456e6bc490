"""YAML loading: data, the line of every key and item, and syntax errors with a line."""

import pytest

from mistral_svc import lang
from mistral_svc.lang import yaml_loader
from mistral_svc.lang.errors import DSLError

DOC = """\
a:
  b:
    - x
    - y: 1
      z: 2
  c: |
    text
    more
d: [1,
  2]
3: three
"""


@pytest.fixture(scope="module")
def located():
    return yaml_loader.load(DOC)


def test_data_is_plain_yaml(located):
    assert located.data == {"a": {"b": ["x", {"y": 1, "z": 2}], "c": "text\nmore\n"},
                            "d": [1, 2], 3: "three"}


@pytest.mark.parametrize("path,line", [
    ((), 1),
    (("a",), 1),
    (("a", "b"), 2),
    (("a", "b", "0"), 3),
    (("a", "b", "1"), 4),
    (("a", "b", "1", "y"), 4),
    (("a", "b", "1", "z"), 5),
    (("a", "c"), 6),
    (("d",), 9),
    (("d", "0"), 9),
    (("d", "1"), 10),
    (("3",), 11),
])
def test_line_of_keys_and_items(located, path, line):
    assert located.line(path) == line


def test_path_parts_need_not_be_strings(located):
    assert located.line(("a", "b", 1, "z")) == 5
    assert located.line((3,)) == 11


def test_unknown_path_falls_back_to_its_nearest_ancestor(located):
    assert located.line(("a", "b", "1", "nope", "deeper")) == 4
    assert located.line(("a", "c", "x")) == 6
    assert located.line(("nope",)) == 1


def test_a_key_line_is_the_key_not_its_value():
    loc = yaml_loader.load("k:\n\n\n  - 1\n")
    assert loc.line(("k",)) == 1
    assert loc.line(("k", "0")) == 4


@pytest.mark.parametrize("text", ["", "   \n\t\n", None, 42])
def test_empty_definition(text):
    with pytest.raises(DSLError, match="the definition is empty") as exc:
        yaml_loader.load(text)
    assert exc.value.line is None


@pytest.mark.parametrize("text,line,words", [
    ("version: '2.0'\nwf:\n  tasks:\n    a:\n      action: x\n     bad: 1\n", 6,
     "did not find expected key"),
    ("version: '2.0'\nwf:\n\ttasks: {}\n", 3, "cannot start any token"),
    ("a: b: c\n", 1, "mapping values are not allowed"),
    ("a:\n  b: [1, 2\n  c: 3\n", 3, "expected ',' or ']'"),
    ("a: *nope\n", 1, "undefined alias"),
])
def test_syntax_error_has_a_line(text, line, words):
    with pytest.raises(DSLError) as exc:
        yaml_loader.load(text)
    assert exc.value.line == line
    assert words in exc.value.message
    assert exc.value.message.startswith("invalid YAML: ")
    assert str(exc.value).endswith("[line %d]" % line)


def test_unclosed_quote_names_where_the_string_began():
    text = "version: '2.0'\nwf:\n  description: 'abc\n  tasks: {}\n"
    with pytest.raises(DSLError) as exc:
        yaml_loader.load(text)
    assert "started on line 3" in exc.value.message


def test_several_documents_are_rejected():
    with pytest.raises(DSLError, match="invalid YAML"):
        yaml_loader.load("a: 1\n---\nb: 2\n")


def test_parse_workflows_reports_yaml_errors_with_line():
    with pytest.raises(DSLError) as exc:
        lang.parse_workflows("version: '2.0'\nwf:\n  tasks:\n    a: {action: [\n")
    assert exc.value.line is not None and exc.value.line >= 4
    assert exc.value.path == ()


@pytest.mark.parametrize("text", ["just a string\n", "- a\n- b\n", "42\n"])
def test_workflow_file_must_be_a_mapping(text):
    with pytest.raises(DSLError, match="must be a YAML mapping") as exc:
        lang.parse_workflows(text)
    assert exc.value.line == 1


def test_dsl_error_format():
    e = DSLError("bad thing", path=("wf", "tasks", 3), line=7)
    assert e.path == ("wf", "tasks", "3")
    assert str(e) == "Invalid DSL: bad thing [path=wf.tasks.3, line 7]"
    assert str(DSLError("plain")) == "Invalid DSL: plain"
    assert str(DSLError("x", line=2)) == "Invalid DSL: x [line 2]"
