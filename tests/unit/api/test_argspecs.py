"""pecan sees the same controller argspecs with the memo as without it."""

import importlib
import inspect
import pkgutil
import types

import pecan.util
import pytest

from mistral_svc.api import argspecs
from mistral_svc.api import controllers


def _controller_functions():
    for info in pkgutil.walk_packages(controllers.__path__, controllers.__name__ + "."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__:
                continue
            for name, func in vars(cls).items():
                if inspect.isfunction(func) and not name.startswith("__"):
                    yield "%s.%s" % (cls.__name__, name), func


FUNCTIONS = list(_controller_functions())


def _spec(func, helper, monkeypatch):
    monkeypatch.setattr(pecan.util, "_getargspec", helper)
    return pecan.util.getargspec(func)


def test_controllers_are_found():
    assert len(FUNCTIONS) > 50


@pytest.mark.parametrize("name,func", FUNCTIONS, ids=[n for n, _ in FUNCTIONS])
def test_same_argspec_bound_and_plain(name, func, monkeypatch):
    memo = argspecs._memoised({})
    for target in (func, types.MethodType(func, object())):
        expected = _spec(target, argspecs._original, monkeypatch)
        assert _spec(target, memo, monkeypatch) == expected
        assert _spec(target, memo, monkeypatch) == expected  # from the memo now


def test_install_is_idempotent(monkeypatch):
    monkeypatch.setattr(pecan.util, "_getargspec", argspecs._original)
    argspecs.install()
    first = pecan.util._getargspec
    argspecs.install()
    assert pecan.util._getargspec is first
    assert first.memoised
