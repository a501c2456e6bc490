"""The ``std.*`` actions every workflow can use."""

import time

from mistral_svc.actions.base import Action, ActionError


class NoOpAction(Action):
    """Does nothing; its result is None. Useful as a join point or placeholder."""

    def __init__(self):
        pass

    def run(self, context):
        return None


class EchoAction(Action):
    """Returns its ``output`` as the result, optionally after ``delay`` seconds."""

    def __init__(self, output, delay=0):
        self.output = output
        self.delay = delay

    def run(self, context):
        if self.delay:
            time.sleep(float(self.delay))
        return self.output


class FailAction(Action):
    """Always fails; ``error_data`` becomes the error result."""

    def __init__(self, error_data=None):
        self.error_data = error_data

    def run(self, context):
        raise ActionError(self.error_data if self.error_data is not None
                          else "Fail action expected exception.")


class SleepAction(Action):
    """Sleeps ``seconds`` and returns None."""

    def __init__(self, seconds=1):
        self.seconds = seconds

    def run(self, context):
        time.sleep(float(self.seconds))
        return None


class AsyncNoOpAction(Action):
    """Starts nothing and waits for its result to be sent through the API."""

    def __init__(self):
        pass

    def run(self, context):
        return None

    def is_sync(self):
        return False


class TestDictAction(Action):
    """Returns a dict of ``size`` keys ``key_prefix<i>`` with value ``val``."""

    def __init__(self, size=0, key_prefix="", val=""):
        self.size = size
        self.key_prefix = key_prefix
        self.val = val

    def run(self, context):
        return {"%s%d" % (self.key_prefix, i): self.val for i in range(int(self.size))}

