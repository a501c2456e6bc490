"""Errors shared across layers, each with the HTTP status the API answers with."""


class MistralError(Exception):
    """Base error; ``http_code`` is what the API returns for it."""

    http_code = 500

    def __init__(self, message=None):
        self.message = message or self.__class__.__doc__
        super().__init__(self.message)


class NotFound(MistralError):
    """Object not found."""

    http_code = 404


class Conflict(MistralError):
    """Duplicate entry."""

    http_code = 409


class InputError(MistralError):
    """Invalid input."""

    http_code = 400


class InvalidModel(InputError):
    """Invalid definition."""


class InvalidStateChange(InputError):
    """Invalid state change."""


class SizeLimitExceeded(InputError):
    """A field of an execution is larger than [engine] execution_field_size_limit_kb, or
    holds a value JSON cannot store."""


class NotAllowed(MistralError):
    """Not allowed."""

    http_code = 403


class Unavailable(MistralError):
    """The service is temporarily unavailable."""

    http_code = 503


class EngineError(MistralError):
    """Engine error."""

    http_code = 500


_BY_NAME = {cls.__name__: cls for cls in
            (NotFound, Conflict, InputError, InvalidModel, InvalidStateChange, NotAllowed,
             Unavailable, EngineError, SizeLimitExceeded)}


def by_name(name):
    """The error class called ``name`` (errors cross RPC by name), or None."""
    return _BY_NAME.get(name)
