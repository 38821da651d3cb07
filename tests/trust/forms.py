"""Reading an HTML form as a browser would submit it, so a test can post the real admin form."""

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, form_id: str | None):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.data: list[tuple[str, str]] = []
        self.options: dict[str, list[str]] = {}
        self._select: str | None = None
        self._select_options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = {name: value if value is not None else "" for name, value in attrs}
        if tag == "form" and (self.form_id is None or attributes.get("id") == self.form_id):
            self.inside = True
            return
        if not self.inside:
            return
        name = attributes.get("name")
        if tag == "input" and name:
            kind = attributes.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attributes:
                return
            self.data.append((name, attributes.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select, self._select_options = name, []
        elif tag == "option" and self._select is not None:
            self._select_options.append((attributes.get("value", ""), "selected" in attributes))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select" and self._select is not None:
            self.options[self._select] = [value for value, _selected in self._select_options]
            chosen = [value for value, selected in self._select_options if selected]
            if not chosen and self._select_options:
                chosen = [self._select_options[0][0]]
            self.data += [(self._select, value) for value in chosen]
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            self.data.append((self._textarea, text.removeprefix("\n")))
            self._textarea = None


def form_data(html: str, form_id: str | None = None) -> dict[str, str]:
    """The fields of the form `form_id` (or of every form) as a browser would post them."""
    reader = _FormReader(form_id)
    reader.feed(html)
    reader.close()
    return dict(reader.data)


def hidden_value(html: str, name: str) -> str:
    return form_data(html)[name]


def form_fields(html: str, form_id: str | None = None) -> dict[str, list[str]]:
    """Each field of the form with the values a browser could send for it: a select's every
    option, an input's or a textarea's current value."""
    reader = _FormReader(form_id)
    reader.feed(html)
    reader.close()
    fields = {name: [value] for name, value in reader.data}
    for name, options in reader.options.items():
        fields[name] = sorted(set(options) | set(fields.get(name, [])))
    return fields
