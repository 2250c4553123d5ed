"""Labelled controls, live regions and WCAG AA contrast in the widget."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .chat import Chat

pytestmark = pytest.mark.browser

# Every element with text of its own: its colour against what lies behind it.
CONTRAST_JS = """
root => {
  const parse = c => {
    const m = c.match(/[\\d.]+/g).map(Number);
    return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1];
  };
  const over = (top, under) => [0, 1, 2].map(i => top[i] * top[3] + under[i] * (1 - top[3]));
  const lum = rgb => {
    const linear = rgb.map(v => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2];
  };
  const background = node => {
    const layers = [];
    for (let n = node; n; n = n.parentElement) {
      const c = parse(getComputedStyle(n).backgroundColor);
      if (c[3] > 0) { layers.push(c); if (c[3] === 1) break; }
    }
    return layers.reverse().reduce((under, top) => over(top, under), [255, 255, 255]);
  };
  const results = [];
  for (const node of root.querySelectorAll('*')) {
    const own = [...node.childNodes].some(c => c.nodeType === 3 && c.textContent.trim());
    if (!own || !node.getClientRects().length || node.closest('.bc-visually-hidden')) continue;
    const style = getComputedStyle(node);
    const bg = background(node);
    const fg = over(parse(style.color), bg);
    const [a, b] = [lum(fg), lum(bg)];
    results.push({
      text: node.textContent.trim().slice(0, 40),
      ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05),
    });
  }
  return results;
}
"""


def test_controls_are_labelled_and_text_has_aa_contrast(open_page, site):
    page = open_page(site.url("/"))
    chat = Chat(page)
    expect(chat.launcher).to_have_attribute("aria-expanded", "false")
    chat.open()
    expect(chat.panel).to_have_attribute("role", "dialog")
    expect(chat.log).to_have_attribute("aria-live", "polite")
    chat.ask("can i be friends with my therapist after therapy ends")
    chat.last_reply().locator("button.bc-chip").first.click()
    chat.ask("i want to kill myself")

    unnamed = page.locator(".bc-root").evaluate(
        "root => [...root.querySelectorAll('button, a, textarea')]"
        ".filter(n => !(n.getAttribute('aria-label') || n.textContent.trim() || n.labels?.length))"
        ".map(n => n.outerHTML.slice(0, 80))"
    )
    assert unnamed == []

    low = [r for r in page.locator(".bc-root").evaluate(CONTRAST_JS) if r["ratio"] < 4.5]
    assert low == [], low
