"""Shared by the scale-out tests: the consent fixtures, and a small HTTP client for real servers."""

import http.client
import secrets
import urllib.parse

from tests.consent.conftest import (  # noqa: F401  (fixtures, imported to be found here)
    DATE_OF_BIRTH,
    PATIENT_NAME,
    REQUEST_META,
    clinic,
    complete_draft,
    invitation_and_token,
    invite,
    signed_record,
)


class Browser:
    """One patient's browser: a cookie jar, sent to whichever server a request goes to.

    Redirects are not followed, so each response can be checked. POSTs carry Django's CSRF
    token the way a browser does: the csrftoken cookie and the same value in the form.
    """

    def __init__(self):
        self.cookies = {"csrftoken": secrets.token_hex(16)}

    def request(self, port: int, method: str, path: str, form: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(
                {**form, "csrfmiddlewaretoken": self.cookies["csrftoken"]}, doseq=True
            )
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
        for header in response.msg.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value in ('""', ""):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        connection.close()
        return response.status, response.getheader("Location", ""), content
