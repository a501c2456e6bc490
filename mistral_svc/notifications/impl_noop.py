"""Publisher ``noop``: only logs the event (for trying notifications out)."""

import logging

LOG = logging.getLogger(__name__)


class NoopPublisher:
    def publish(self, ex_id, data, event, timestamp, **params):
        LOG.info("notification %s of %s (%s)", event, ex_id, data.get("name"))
