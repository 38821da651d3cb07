"""What outgoing e-mail tells the apps that send it, without knowing them.

- `email_sent(sent_email)`: the mail server or provider accepted the message, inside the
  transaction that recorded it.
- `email_status(sent_email, status, occurred_at)`: the provider reported the message delivered,
  bounced, complained of or opened (through its verified tracking webhook).

`sent_email.about` is what the sender passed to `email_enqueue(about=...)`.
"""

from django.dispatch import Signal

email_sent = Signal()
email_status = Signal()
