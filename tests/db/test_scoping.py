"""Project scoping of the repository functions, on SQLite, PostgreSQL and MariaDB.

Under a project's context a query sees that project's rows, public ones and workflows
shared with it and accepted; another project's private row is not found. Admins, and
work done without a context (the engine's own), see every row. Public rows of another
project are readable, not changeable.
"""

import uuid

import pytest

from mistral_svc import context, exceptions as exc
from mistral_svc.db import api as db_api, models
from tests.db.fixtures import database, db  # noqa: F401

WF = models.WorkflowDefinition


def _as(project, admin=False):
    return context.using(context.MistralContext(
        project_id=project, is_admin=admin, roles=["admin"] if admin else ["member"],
        overwrite=False))


def _wf(name, scope="private"):
    return db_api.create(WF, {"name": name, "namespace": "", "definition": "x",
                              "spec": {}, "scope": scope, "tags": []})


@pytest.fixture
def world(db):  # noqa: F811 - the contract fixture
    """Projects A and B with a private and a public workflow and an environment of A."""
    a, b = "pa_" + uuid.uuid4().hex[:8], "pb_" + uuid.uuid4().hex[:8]
    n = uuid.uuid4().hex[:8]
    with _as(a):
        rows = {"private": _wf("priv_" + n), "public": _wf("pub_" + n, "public"),
                "env": db_api.create(models.Environment, {
                    "name": "env_" + n, "variables": {"password": "x"}})}
    yield a, b, n, rows
    with db_api.transaction() as session:
        for model in (WF, models.Environment, models.ResourceMember):
            session.query(model).filter(model.project_id.in_([a, b])).delete(
                synchronize_session=False)


def test_rows_belong_to_the_creators_project(world):
    a, b, n, rows = world
    assert {r.project_id for r in rows.values()} == {a}
    with _as(b):
        assert _wf("own_" + n).project_id == b


def test_another_projects_private_rows_are_not_found(world):
    a, b, n, rows = world
    with _as(b):
        with pytest.raises(exc.NotFound):
            db_api.get(WF, rows["private"].id)
        with pytest.raises(exc.NotFound):
            db_api.get_by_name(WF, "priv_" + n)
        with pytest.raises(exc.NotFound):
            db_api.get_by_name(models.Environment, "env_" + n)
        assert db_api.find(models.Environment, name="env_" + n) is None
        names = {r.name for r in db_api.list_(WF, filters={"name": ("has", n)})}
        assert names == {"pub_" + n}
        with db_api.transaction():  # inside a transaction too (the engine's lookups)
            with pytest.raises(exc.NotFound):
                db_api.get(WF, rows["private"].id)
    with _as(a):
        names = {r.name for r in db_api.list_(WF, filters={"name": ("has", n)})}
        assert names == {"priv_" + n, "pub_" + n}


def test_public_rows_are_readable_not_changeable(world):
    a, b, n, rows = world
    with _as(b):
        public = db_api.get_by_name(WF, "pub_" + n)
        assert public.id == rows["public"].id
        with pytest.raises(exc.NotAllowed):
            db_api.update(public, {"definition": "changed"})
        with pytest.raises(exc.NotAllowed):
            db_api.delete(public)
    with _as(a):
        db_api.update(db_api.get(WF, rows["public"].id), {"definition": "mine"})


def test_own_definition_before_a_public_one_of_the_same_name(world):
    a, b, n, rows = world
    with _as(b):
        mine = _wf("pub_" + n)
        assert db_api.get_by_name(WF, "pub_" + n).id == mine.id
    with _as(a):
        assert db_api.get_by_name(WF, "pub_" + n).id == rows["public"].id


def test_only_accepted_shares_are_visible(world):
    a, b, n, rows = world
    member = db_api.create(models.ResourceMember, {
        "resource_id": rows["private"].id, "resource_type": "workflow",
        "project_id": a, "member_id": b, "status": "pending"})
    with _as(b):
        with pytest.raises(exc.NotFound):
            db_api.get(WF, rows["private"].id)
    db_api.update(member, {"status": "accepted"})
    with _as(b):
        assert db_api.get(WF, rows["private"].id).id == rows["private"].id
        assert db_api.get_by_name(WF, "priv_" + n).id == rows["private"].id
        with pytest.raises(exc.NotAllowed):
            db_api.delete(db_api.get(WF, rows["private"].id))
    db_api.update(member, {"status": "rejected"})
    with _as(b):
        with pytest.raises(exc.NotFound):
            db_api.get(WF, rows["private"].id)


def test_admins_and_the_engine_see_every_project(world):
    a, b, n, rows = world
    with _as(b, admin=True):
        assert db_api.get(WF, rows["private"].id).project_id == a
        assert len(db_api.list_(WF, filters={"name": ("has", n)})) == 2
    assert db_api.get(WF, rows["private"].id).project_id == a
