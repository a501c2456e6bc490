from tests.functional.server_fixture import mistral_server  # noqa: F401
