"""``std.email``: sends a message through an SMTP server (smtplib)."""

import smtplib
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, parseaddr

from mistral_svc.actions.base import Action, ActionError

#: Seconds to wait for the SMTP server before the action fails.
SMTP_TIMEOUT = 60


def _addresses(value):
    """A list of addresses from a list or a comma separated string."""
    if not value:
        return []
    if isinstance(value, str):
        value = value.split(",")
    return [str(a).strip() for a in value if str(a).strip()]


class SendEmailAction(Action):
    """Sends an email message through an SMTP server.

    :param from_addr: sender address.
    :param to_addrs: recipients, a list or a comma separated string.
    :param smtp_server: SMTP server as host or host:port.
    :param reply_to: Reply-To addresses.
    :param cc_addrs: CC recipients.
    :param bcc_addrs: BCC recipients (not shown in the headers).
    :param smtp_password: when given, the action logs in as from_addr (after
        STARTTLS when the server offers it).
    :param subject: message subject.
    :param body: plain text body.
    :param html_body: HTML alternative of the body.
    """

    def __init__(self, from_addr, to_addrs, smtp_server, reply_to=None, cc_addrs=None,
                 bcc_addrs=None, smtp_password=None, subject=None, body=None,
                 html_body=None):
        self.from_addr = from_addr
        self.to = _addresses(to_addrs)
        self.cc = _addresses(cc_addrs)
        self.bcc = _addresses(bcc_addrs)
        self.reply_to = _addresses(reply_to)
        self.smtp_server = smtp_server
        self.password = smtp_password
        self.subject = subject or "<No subject>"
        self.body = body or "<No body>"
        self.html_body = html_body

    def _message(self):
        if self.html_body:
            msg = MIMEMultipart("alternative")
            msg.attach(MIMEText(self.body, "plain", "utf-8"))
            msg.attach(MIMEText(self.html_body, "html", "utf-8"))
        else:
            msg = MIMEText(self.body, "plain", "utf-8")
        msg["Subject"] = Header(self.subject, "utf-8")
        msg["From"] = formataddr(parseaddr(self.from_addr))
        msg["To"] = ", ".join(self.to)
        if self.cc:
            msg["Cc"] = ", ".join(self.cc)
        if self.reply_to:
            msg["Reply-To"] = ", ".join(self.reply_to)
        return msg

    def run(self, context):
        if not self.to:
            raise ActionError("std.email needs at least one recipient in to_addrs")
        message = self._message().as_string()
        try:
            with smtplib.SMTP(self.smtp_server, timeout=SMTP_TIMEOUT) as smtp:
                if self.password is not None:
                    smtp.ehlo()
                    if smtp.has_extn("starttls"):
                        smtp.starttls()
                        smtp.ehlo()
                    smtp.login(self.from_addr, self.password)
                smtp.sendmail(self.from_addr, self.to + self.cc + self.bcc, message)
        except (smtplib.SMTPException, OSError) as e:
            raise ActionError("Failed to send an email message: %s" % e)
        return None

