"""Running publishers: one worker thread per process, in order, with retries.

Notifications wait in a bounded queue (a webhook that is down must not make the
process use unbounded memory: past ``[notifier] queue_size`` new ones are dropped with
a warning). Each publisher of a notification is tried ``delivery_attempts`` times,
``retry_delay`` seconds apart and doubling, before it is given up with an error log.
"""

import logging
import queue
import threading
import time

from stevedore import driver

from mistral_svc import config

CONF = config.CONF
LOG = logging.getLogger(__name__)
NAMESPACE = "mistral_svc.notification.publishers"

_publishers = {}
_lock = threading.Lock()


def publisher(name):
    """The publisher plug-in ``name`` (stevedore, namespace above); KeyError if none."""
    with _lock:
        if name not in _publishers:
            try:
                _publishers[name] = driver.DriverManager(NAMESPACE, name,
                                                         invoke_on_load=True).driver
            except Exception:  # noqa: BLE001 - stevedore's NoMatches and load errors
                raise KeyError(name)
        return _publishers[name]


def known(name):
    try:
        publisher(name)
        return True
    except KeyError:
        return False


def deliver(item, sleep=time.sleep):
    """Publish one notification ``item`` (ex_id, data, event, timestamp, publishers)
    to each of its publishers, retrying failures; returns how many succeeded."""
    delivered = 0
    for entry in item["publishers"]:
        params = dict(entry)
        name = params.pop("type", None)
        params.pop("event_types", None)
        delay = CONF.notifier.retry_delay
        for attempt in range(1, max(CONF.notifier.delivery_attempts, 1) + 1):
            try:
                publisher(name).publish(item["ex_id"], item["data"], item["event"],
                                        item["timestamp"], **params)
                delivered += 1
                break
            except Exception as e:  # noqa: BLE001 - a publisher's failure is retried
                if attempt >= CONF.notifier.delivery_attempts:
                    LOG.error("gave up notifying %s of %s through '%s' after %d "
                              "attempts: %s", item["event"], item["ex_id"], name, attempt,
                              type(e).__name__)
                    break
                sleep(delay)
                delay *= 2
    return delivered


class Deliverer:
    """The process's delivery queue and its worker thread."""

    def __init__(self):
        self._queue = queue.Queue(maxsize=max(CONF.notifier.queue_size, 1))
        self._thread = None
        self._lock = threading.Lock()

    def put(self, items):
        self._ensure_started()
        for item in items:
            try:
                self._queue.put_nowait(item)
            except queue.Full:
                LOG.warning("notification queue full: %s of %s dropped", item["event"],
                            item["ex_id"])

    def _ensure_started(self):
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="notifier",
                                                daemon=True)
                self._thread.start()

    def _run(self):
        while True:
            item = self._queue.get()
            try:
                if item is None:
                    return
                deliver(item)
            except Exception:  # noqa: BLE001 - the worker outlives any one delivery
                LOG.exception("notification delivery failed")
            finally:
                self._queue.task_done()

    def drain(self, timeout):
        """Wait up to ``timeout`` seconds for queued notifications to go out."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.05)

    def stop(self, timeout=5.0):
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self.drain(timeout)
            try:
                self._queue.put_nowait(None)
            except queue.Full:
                pass
            thread.join(timeout=1)


_deliverer = []


def deliverer():
    """This process's Deliverer."""
    with _lock:
        if not _deliverer:
            _deliverer.append(Deliverer())
        return _deliverer[0]
