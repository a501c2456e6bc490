"""Shape errors: unknown keys and wrong types name the path and the line."""

import pytest

from tests.unit.lang.base import dsl_error, line_of, wf_body

# (body of workflow "wf", dotted path of the error, text on the error's line, message part)
CASES = [
    # unknown keys
    ("""
     foo: 1
     tasks:
       a: {}
     """, "wf.foo", "foo: 1", "unexpected key(s): foo"),
    ("""
     tasks:
       a:
         actoin: std.noop
     """, "wf.tasks.a.actoin", "actoin:", "unexpected key(s): actoin"),
    ("""
     task-defaults:
       action: std.noop
     tasks:
       a: {}
     """, "wf.task-defaults.action", "action: std.noop", "unexpected key(s): action"),
    ("""
     tasks:
       a:
         retry:
           count: 1
           backoff: 2
     """, "wf.tasks.a.retry.backoff", "backoff", "unexpected key(s): backoff"),
    ("""
     tasks:
       a:
         on-success:
           publish:
             branch: {x: 1}
             local: {y: 1}
     """, "wf.tasks.a.on-success.publish.local", "local:", "unexpected key(s): local"),
    ("""
     tasks:
       a:
         on-success:
           nxt: [b]
       b: {}
     """, "wf.tasks.a.on-success.nxt", "nxt:", "unexpected key(s): nxt"),
    # missing or empty
    ("""
     description: no tasks
     """, "wf", "wf:", "'tasks' is required"),
    ("""
     tasks: {}
     """, "wf.tasks", "tasks:", "should be non-empty"),
    ("""
     tasks:
       a:
         retry:
           delay: 1
     """, "wf.tasks.a.retry", "retry:", "'count' is required"),
    ("""
     tasks:
       a:
         action: ''
     """, "wf.tasks.a.action", "action:", "should be non-empty"),
    # wrong types
    ("""
     tasks: [a, b]
     """, "wf.tasks", "tasks:", "is not of type 'object'"),
    ("""
     tasks:
       a: 5
     """, "wf.tasks.a", "a: 5", "is not of type 'object'"),
    ("""
     type: sideways
     tasks:
       a: {}
     """, "wf.type", "type:", "'sideways' is not one of"),
    ("""
     vars: [1]
     tasks:
       a: {}
     """, "wf.vars", "vars:", "is not of type 'object'"),
    ("""
     tags: one
     tasks:
       a: {}
     """, "wf.tags", "tags:", "is not of type 'array'"),
    ("""
     tasks:
       a:
         join: 0
     """, "wf.tasks.a.join", "join:", "less than the minimum of 1"),
    ("""
     tasks:
       a:
         join: two
     """, "wf.tasks.a.join", "join:", "'two'"),
    ("""
     tasks:
       a:
         with-items: 5
     """, "wf.tasks.a.with-items", "with-items:", "5"),
    ("""
     tasks:
       a:
         wait-before: -1
     """, "wf.tasks.a.wait-before", "wait-before:", "less than the minimum of 0"),
    ("""
     tasks:
       a:
         timeout: soon
     """, "wf.tasks.a.timeout", "timeout:", "'soon'"),
    ("""
     tasks:
       a:
         pause-before: maybe
     """, "wf.tasks.a.pause-before", "pause-before:", "'maybe'"),
    ("""
     tasks:
       a:
         concurrency: 1.5
     """, "wf.tasks.a.concurrency", "concurrency:", "1.5"),
    ("""
     tasks:
       a:
         input: [1]
     """, "wf.tasks.a.input", "input:", "[1]"),
    ("""
     tasks:
       a:
         publish: [x]
     """, "wf.tasks.a.publish", "publish:", "['x']"),
    ("""
     tasks:
       a:
         on-success: 5
     """, "wf.tasks.a.on-success", "on-success:", "5"),
    ("""
     tasks:
       a:
         on-success:
           - b
           - c: 1
       b: {}
       c: {}
     """, "wf.tasks.a.on-success.1.c", "- c: 1", "1 is not of type"),
    ("""
     tasks:
       a:
         on-error:
           - b: x
             c: y
       b: {}
     """, "wf.tasks.a.on-error.0", "- b: x", "too many properties"),
    ("""
     input:
       - a
       - 5
     tasks:
       a: {}
     """, "wf.input.1", "- 5", "5 is not of type 'string'"),
    ("""
     input:
       - {a: 1, b: 2}
     tasks:
       a: {}
     """, "wf.input.0", "- {a: 1", "too many properties"),
    ("""
     input: [a, a]
     tasks:
       a: {}
     """, "wf.input", "input:", "non-unique"),
    ("""
     tasks:
       a:
         tags: tag
     """, "wf.tasks.a.tags", "tags: tag", "is not of type 'array'"),
]


@pytest.mark.parametrize("body,path,line_text,message", CASES,
                         ids=[c[1] + ":" + c[3][:20] for c in CASES])
def test_error_names_path_and_line(body, path, line_text, message):
    text = wf_body(body)
    err = dsl_error(text)
    assert ".".join(err.path) == path
    assert err.line == line_of(text, line_text)
    assert message in err.message
    assert "path=%s" % path in str(err) and "line %d" % err.line in str(err)


@pytest.mark.parametrize("text,message,line", [
    ("wf:\n  tasks:\n    a: {}\n", "'version' is required", 1),
    ("version: '1.0'\nwf:\n  tasks:\n    a: {}\n", "unsupported version '1.0'", 1),
    ("version: '2.0'\n", "no workflow is defined", 1),
    ("version: '2.0'\nwf: 5\n", "workflow 'wf' must be a mapping", 2),
])
def test_file_level_errors(text, message, line):
    err = dsl_error(text)
    assert message in err.message
    assert err.line == line


@pytest.mark.parametrize("version", ["'2.0'", "2.0", "2"])
def test_accepted_versions(version):
    from mistral_svc import lang

    (wf,) = lang.parse_workflows("version: %s\nwf:\n  tasks:\n    a: {}\n" % version)
    assert wf["version"] == "2.0"


def test_first_error_in_document_order_is_reported():
    text = wf_body("""
        tasks:
          a:
            join: 0
          b:
            bogus: 1
    """)
    err = dsl_error(text)
    assert err.path == ("wf", "tasks", "a", "join")


def test_error_in_second_workflow_names_it():
    text = ("version: '2.0'\nfirst:\n  tasks:\n    a: {}\n"
            "second:\n  tasks:\n    b:\n      retry: {count: -1}\n")
    err = dsl_error(text)
    assert err.path == ("second", "tasks", "b", "retry", "count")
    assert err.line == 8
    assert "less than the minimum of 0" in err.message


def test_long_values_are_shortened_in_messages():
    text = wf_body("""
        tasks:
          a:
            input: [%s]
    """ % ", ".join(["x" * 20] * 30))
    err = dsl_error(text)
    full_value = repr(["x" * 20] * 30)
    assert "..." in err.message
    assert len(err.message) < len(full_value)
