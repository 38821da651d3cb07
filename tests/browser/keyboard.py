"""Driving a page by keyboard alone, checking after every key that focus is somewhere visible."""

# What has focus, whether it is drawn (an outline or a focus ring made of box-shadow) and on
# screen, and whether it is `target`.
FOCUS_STATE = r"""(target) => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) {
    return {lost: true};
  }
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    lost: false,
    isTarget: el === target,
    what: `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""} "${
      (el.getAttribute("aria-label") || el.innerText || el.value || "").trim().slice(0, 60)}"`,
    ring: (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
      || (style.boxShadow !== "none" && !/rgba\([^)]*,\s*0\)/.test(style.boxShadow)
          && /\s[1-9][\d.]*px/.test(style.boxShadow)),
    onScreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < innerHeight
      && box.right > 0 && box.left < innerWidth,
  };
}"""

SCROLLED_INTO_VIEW = """() => {
  const box = document.activeElement.getBoundingClientRect();
  return box.bottom > 0 && box.top < innerHeight;
}"""


class Keyboard:
    """Tab, Shift+Tab, Enter, Space and typing, with focus checked after each key."""

    def __init__(self, page):
        self.page = page

    def state(self, target=None) -> dict:
        return self.page.evaluate(FOCUS_STATE, target)

    def assert_visible_focus(self, target=None) -> dict:
        state = self.state(target)
        if not state["lost"] and not state["onScreen"]:
            # Should the page scroll smoothly, give the scroll to the focused element time to end.
            self.page.wait_for_function(SCROLLED_INTO_VIEW, timeout=2_000)
            state = self.state(target)
        assert not state["lost"], f"focus was lost on {self.page.url}"
        assert state["ring"], f"{state['what']} has focus but no visible focus ring"
        assert state["onScreen"], f"{state['what']} has focus but is off screen"
        return state

    def press(self, key: str, target=None) -> dict:
        self.page.keyboard.press(key)
        return self.assert_visible_focus(target)

    def tab_to(self, locator, *, backwards: bool = False, limit: int = 120) -> None:
        """Press Tab (or Shift+Tab) until `locator` has focus; every stop must show focus."""
        target = locator.element_handle()
        if self.state(target).get("isTarget"):
            return
        key = "Shift+Tab" if backwards else "Tab"
        trail = []
        for _ in range(limit):
            state = self.press(key, target)
            if state["isTarget"]:
                return
            trail.append(state["what"])
        raise AssertionError(f"{key} never reached {locator}; stopped at: {trail[-10:]}")

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.assert_visible_focus()

    def follow(self, key: str = "Enter") -> None:
        """Press the key that leaves the page (Enter on a link or button); check where focus
        starts on the page it leads to."""
        with self.page.expect_navigation():
            self.page.keyboard.press(key)
        self.arrive()

    def arrive(self) -> None:
        """Focus is never lost after a page change. An error summary has it (and is read out);
        otherwise nothing has focus and the first Tab reaches the skip link, or, when the address
        still ends in the skip link's "#main", <main> has it and Tab goes on from there."""
        summary = self.page.locator("#error-summary")
        if summary.count():
            assert summary.get_attribute("role") == "alert", "the error summary is not announced"
            assert summary.get_attribute("tabindex") == "-1", "the error summary cannot take focus"
            state = self.assert_visible_focus(summary.element_handle())
            assert state["isTarget"], f"the error summary does not have focus: {state['what']}"
            return
        if self.focused_id() == "main":
            return
        assert self.state()["lost"], f"a new page starts with focus on {self.state()['what']}"
        skip_link = self.page.get_by_role("link", name="Skip to main content").element_handle()
        state = self.press("Tab", skip_link)
        assert state["isTarget"], f"the first Tab reached {state['what']}, not the skip link"

    def focused_id(self) -> str:
        return self.page.evaluate("() => document.activeElement.id")

    def skip_to_main(self) -> None:
        """Enter on the skip link moves focus to the main content (if it is not there yet)."""
        if self.focused_id() != "main":
            self.page.keyboard.press("Enter")
        assert self.focused_id() == "main", f"the skip link left focus on #{self.focused_id()}"
