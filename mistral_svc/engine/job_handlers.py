"""Handlers of due jobs, by name. Modules that schedule delayed work register here; the
engine's ``process_job`` RPC method looks them up when a scheduler hands a job over."""

JOB_HANDLERS = {}


def job_handler(name):
    """Register ``func(**func_args)`` as the handler of due jobs called ``name``."""

    def register(func):
        JOB_HANDLERS[name] = func
        return func

    return register
