"""What may not reach a patient's page: found by parsing the HTML, not by searching strings.

A page may load our own static files and nothing else. It may link anywhere over http(s),
mailto or tel, but it may not run script (no <script> of its own, no event-handler attribute,
no `javascript:`-like URL), style itself inline, or make the browser fetch or embed anything
from elsewhere (images, frames, objects, stylesheets, forms posting off-site, refreshes).
"""

import re
from html.parser import HTMLParser

from django.conf import settings

STATIC_PREFIX = "/" + settings.STATIC_URL.lstrip("/")
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "poster",
    "background",
    "srcset",
    "xlink:href",
    "cite",
    "ping",
    "codebase",
    "lowsrc",
    "dynsrc",
    "longdesc",
    "manifest",
    "icon",
    "usemap",
    "srcdoc",
}
SCRIPT_SCHEMES = {"javascript", "vbscript", "livescript", "data", "file", "blob", "filesystem"}
NAVIGATION_SCHEMES = {"http", "https", "mailto", "tel"}
# Elements that fetch, embed or run something: allowed only for our own static files.
RESOURCE_ELEMENTS = {
    "script",
    "link",
    "img",
    "image",
    "picture",
    "source",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "video",
    "audio",
    "track",
    "bgsound",
    "input",
    "svg",
    "math",
    "base",
    "style",
    "portal",
    "xml",
    "import",
}
SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")


def url_scheme(value: str) -> str | None:
    """The scheme a browser would see: it drops tabs and newlines anywhere and control
    characters and spaces at both ends."""
    cleaned = re.sub(r"[\t\n\r]", "", value).strip("".join(chr(c) for c in range(0x21)))
    match = SCHEME.match(cleaned)
    return match.group(1).lower() if match else None


def is_own(value: str) -> bool:
    value = value.strip()
    return value.startswith(STATIC_PREFIX) and not value.startswith("//")


class _Checker(HTMLParser):
    def __init__(self, allowed_images: tuple[str, ...]):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.allowed_images = allowed_images
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        self._element(tag, attrs)
        self.in_script = tag == "script"

    def handle_startendtag(self, tag, attrs):
        self._element(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False

    def handle_data(self, data):
        if self.in_script and data.strip():
            self.problems.append(f"inline script: {data.strip()[:80]!r}")

    def _element(self, tag, attrs):
        values = {name: value or "" for name, value in attrs}
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>: event handler")
            elif name == "style":
                self.problems.append(f"<{tag} style=…>: inline style")
            elif name in URL_ATTRIBUTES:
                self._url(tag, name, value)
        if tag == "meta" and values.get("http-equiv", "").lower() in ("refresh", "set-cookie"):
            self.problems.append(f"<meta http-equiv={values['http-equiv']}>")
        if tag in RESOURCE_ELEMENTS:
            self._resource(tag, values)

    def _url(self, tag, name, value):
        scheme = url_scheme(value)
        if scheme in SCRIPT_SCHEMES and not (
            tag == "img" and name == "src" and value.startswith(self.allowed_images)
        ):
            self.problems.append(f"<{tag} {name}={value[:60]!r}>: {scheme}: URL")
        elif scheme is not None and scheme not in NAVIGATION_SCHEMES:
            self.problems.append(f"<{tag} {name}={value[:60]!r}>: unexpected scheme {scheme}")
        elif (
            tag != "a"
            and name != "cite"
            and (scheme in ("http", "https") or value.startswith("//"))
        ):
            self.problems.append(f"<{tag} {name}={value[:60]!r}>: external resource")

    def _resource(self, tag, values):
        if tag == "script" and is_own(values.get("src", "")) and len(values) <= 3:
            return
        if tag == "link" and is_own(values.get("href", "")):
            return
        if tag == "img" and (
            is_own(values.get("src", "")) or values.get("src", "").startswith(self.allowed_images)
        ):
            return
        if tag == "input" and values.get("type", "text").lower() != "image":
            return
        self.problems.append(f"<{tag} {' '.join(f'{k}={v[:40]!r}' for k, v in values.items())}>")


def unsafe_html(html: str, *, allowed_images: tuple[str, ...] = ()) -> list[str]:
    """Everything in `html` that could run script or reach outside the site."""
    checker = _Checker(allowed_images)
    checker.feed(html)
    checker.close()
    return checker.problems
