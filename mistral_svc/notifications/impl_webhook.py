"""Publisher ``webhook``: POSTs the event's payload as JSON to ``url``.

Entry: ``{"type": "webhook", "url": "...", "headers": {...}, "event_types": [...]}``.
A status other than 2xx is a failure, and the delivery is tried again.
"""

import json
import logging

import requests

from mistral_svc import config

LOG = logging.getLogger(__name__)


class WebhookPublisher:
    def publish(self, ex_id, data, event, timestamp, url=None, headers=None, **params):
        if not url:
            raise ValueError("a webhook publisher needs a url")
        sent = {"Content-Type": "application/json"}
        sent.update(headers or {})
        resp = requests.post(url, data=json.dumps(data), headers=sent,
                             timeout=config.CONF.notifier.webhook_timeout)
        LOG.info("webhook %s for %s: %s", event, ex_id, resp.status_code)
        if not 200 <= resp.status_code < 300:
            raise RuntimeError("the webhook answered %s" % resp.status_code)
