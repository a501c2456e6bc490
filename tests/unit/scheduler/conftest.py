"""The scheduler's contract tests run on every database backend."""

from tests.db.fixtures import database, db  # noqa: F401
