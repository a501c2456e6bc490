"""Code sources read without running them, and loaded on the executor side."""

import pytest

from mistral_svc.actions import base, code_sources

SOURCE = '''\
from mistral_lib import actions
from mistral_lib.actions import Action as Imported


class Base(actions.Action):
    """The base."""

    def __init__(self, host, port=22, *, tags=("a",), flags=None, **extra):
        super().__init__()

    def is_sync(self):
        """Docstrings do not count."""
        return False


class Child(Base):
    """A child."""

    def run(self, context):
        return 1


class Plain(actions.Action):
    def run(self, context):
        return 2


class Flagged(actions.Action):
    is_sync = False

    def __init__(self, a, b=[1, "x"], c=len):
        super().__init__()


class Computed(actions.Action):
    def is_sync(self):
        return self.mode == "sync"


Alias = Plain
'''


def test_inherited_signature_and_is_sync():
    child = code_sources.analyse(SOURCE, "Child")
    assert child.is_sync is False
    assert child.description == "A child."
    accepts_any, names, required, text = child.params
    assert accepts_any and required == ("host",)
    assert names == {"host", "port", "tags", "flags"}
    assert text == 'host, port=22, tags=["a"], flags=null'


def test_defaults_and_literal_flags():
    flagged = code_sources.analyse(SOURCE, "Flagged")
    assert flagged.is_sync is False
    assert flagged.params_spec == 'a, b=[1, "x"], c=len'


@pytest.mark.parametrize("name", ["Plain", "Computed", "Alias", "Imported"])
def test_unknown_means_synchronous_and_unchecked(name):
    info = code_sources.analyse(SOURCE, name)
    assert info.is_sync is True
    if name != "Plain":
        assert info.params is None


def test_missing_class():
    with pytest.raises(code_sources.CodeError, match="Class Nope is not defined"):
        code_sources.analyse(SOURCE, "Nope")


def test_syntax_check_names_the_line():
    with pytest.raises(code_sources.CodeError) as e:
        code_sources.check_syntax("mod", "x = 1\n\nif x\n    pass\n")
    assert e.value.line == 3 and "line 3" in str(e.value)
    with pytest.raises(code_sources.CodeError, match="null"):
        code_sources.check_syntax("mod", "x = 1\0")
    with pytest.raises(code_sources.CodeError, match="at most"):
        code_sources.check_syntax("mod", "#" * (code_sources.MAX_CONTENT_BYTES + 1))
    code_sources.check_syntax("mod", SOURCE)


def test_dynamic_action_input_check():
    action = code_sources.DynamicAction("act", "", "Flagged", "cs", "mod", 1, SOURCE,
                                        info=code_sources.analyse(SOURCE, "Flagged"))
    action.check_input({"a": 1})
    with pytest.raises(base.ActionError, match=r"missing=\['a'\], unexpected=\['z'\]"):
        action.check_input({"z": 1})
    assert action.payload()["content"] == SOURCE and action.payload()["version"] == 1


def test_executor_loads_each_version_once():
    payload = {"code_source_id": "cs-unit", "code_source_name": "unit_mod", "version": 1,
               "class_name": "Plain", "content": SOURCE}
    first = code_sources.load_module(payload)
    assert code_sources.load_module(payload) is first
    newer = code_sources.load_module(dict(payload, version=2))
    assert newer is not first and newer.__name__ == "unit_mod"
    desc = code_sources.executor_descriptor("act", payload)
    assert desc.instantiate({}).run(None) == 2
    with pytest.raises(base.ActionError, match="Class Nope is not defined in code source"):
        code_sources.executor_descriptor("act", dict(payload, class_name="Nope"))
    with pytest.raises(base.ActionError, match="ZeroDivisionError"):
        code_sources.load_module(dict(payload, version=3, content="x = 1 / 0\n"))
