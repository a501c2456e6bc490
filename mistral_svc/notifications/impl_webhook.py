"""Publisher ``webhook``: POSTs the event's payload as JSON to ``url``.

Entry: ``{"type": "webhook", "url": "...", "headers": {...}, "event_types": [...]}``.
A status other than 2xx is a failure, and the delivery is tried again.

As in Mistral, webhooks go only where ``[action_std_http]`` lets std.http go (loopback
and link-local are refused by default, see ``actions.egress``) and redirects are not
followed: the URL comes from whoever starts the execution.
"""

import json
import logging

from mistral_svc import config
from mistral_svc.actions import egress

LOG = logging.getLogger(__name__)


class WebhookPublisher:
    def publish(self, ex_id, data, event, timestamp, url=None, headers=None, **params):
        if not url:
            raise ValueError("a webhook publisher needs a url")
        sent = {"Content-Type": "application/json"}
        sent.update(headers or {})
        opts = config.CONF.action_std_http
        policy = egress.Policy.from_options(opts.denied_cidrs, opts.allowed_hosts)
        # Only the status matters: the body is never read (a redirect's only within
        # max_response_size_bytes), whatever the receiver sends.
        with egress.Session(policy, opts.max_response_size_bytes) as session:
            resp = session.post(url, data=json.dumps(data), headers=sent,
                                timeout=config.CONF.notifier.webhook_timeout,
                                allow_redirects=False, stream=True)
            resp.close()
        LOG.info("webhook %s for %s: %s", event, ex_id, resp.status_code)
        if not 200 <= resp.status_code < 300:
            raise RuntimeError("the webhook answered %s" % resp.status_code)
