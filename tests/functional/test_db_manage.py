"""``mistral-svc-db-manage`` as an operator runs it: config options before or after the
command, as with upstream's ``mistral-db-manage``."""

import subprocess
import sys

import pytest


def _db_manage(*args):
    return subprocess.run(
        [sys.executable, "-m", "mistral_svc.cmd.db_manage", *args],
        capture_output=True, text=True, timeout=120,
    )


@pytest.fixture
def config_file(tmp_path):
    path = tmp_path / "mistral-svc.conf"
    path.write_text("[database]\nconnection = sqlite:///%s\n" % (tmp_path / "db.sqlite"))
    return str(path)


def test_config_file_before_the_command(config_file):
    done = _db_manage("--config-file", config_file, "upgrade", "head")
    assert done.returncode == 0, done.stderr
    assert "Schema at revision" in done.stdout
    current = _db_manage("--config-file", config_file, "current")
    assert current.returncode == 0, current.stderr
    assert "empty" not in current.stdout and current.stdout.strip()


def test_config_file_after_the_command(config_file):
    assert _db_manage("current", "--config-file", config_file).stdout.strip() == (
        "(empty database)")
    done = _db_manage("upgrade", "head", "--config-file", config_file)
    assert done.returncode == 0, done.stderr
    loaded = _db_manage("populate", "--config-file", config_file)
    assert loaded.returncode == 0, loaded.stderr
    assert "System actions loaded:" in loaded.stdout
