"""HTML sanitising and HTML → text for feed content and folder files."""

from __future__ import annotations

import re
from html import unescape

import lxml.html
from lxml import etree
from lxml_html_clean import Cleaner

_CLEANER = Cleaner(
    scripts=True,
    javascript=True,  # drops on* handlers and javascript: URLs
    comments=True,
    style=True,
    inline_style=True,
    links=True,
    meta=True,
    page_structure=False,
    processing_instructions=True,
    embedded=True,  # object, embed, applet
    frames=True,  # frame, iframe
    forms=True,
    annoying_tags=True,
    remove_unknown_tags=False,
    safe_attrs_only=True,
)
_UNSAFE_HINT = re.compile(
    r"<\s*(script|iframe|object|embed|frame|style|form|meta|link)|javascript:|\son\w+\s*=|data:", re.I
)
_INVISIBLE = {"script", "style", "noscript", "template"}
_BLOCK_TAGS = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr",
    "table", "section", "article", "header", "footer", "figure", "figcaption", "dd", "dt", "hr",
}  # fmt: skip


def sanitize_html(html: str) -> str:
    """Remove script, style, iframe/frame, object/embed, forms, ``on*`` handlers and ``javascript:`` URLs.

    Plain text (no tags) is returned unchanged; the result is an HTML fragment.
    """
    if not html or "<" not in html and "javascript:" not in html.lower():
        return html
    if not _UNSAFE_HINT.search(html):
        return html  # fast path: nothing the cleaner would remove
    try:
        fragment = lxml.html.fragment_fromstring(html, create_parent="div")
        cleaned = _CLEANER.clean_html(fragment)
    except (etree.ParserError, ValueError, TypeError):
        return html_to_text(html)
    out = etree.tostring(cleaned, encoding="unicode", method="html")
    if out.startswith("<div>") and out.endswith("</div>"):
        out = out[5:-6]
    return out


def html_to_text(html: str) -> str:
    """Visible text of an HTML fragment with paragraph breaks kept (blank line between blocks)."""
    if not html:
        return ""
    if "<" not in html:
        return _squeeze(unescape(html) if "&" in html else html)
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError, TypeError):
        return _squeeze(re.sub(r"<[^>]*>", " ", html))
    parts: list[str] = []
    skipping = 0  # depth inside script/style: their text is not visible
    for event, node in etree.iterwalk(root, events=("start", "end", "comment", "pi")):
        if event in ("comment", "pi"):
            if node.tail and not skipping:
                parts.append(node.tail)
            continue
        tag = node.tag if isinstance(node.tag, str) else ""
        if event == "start":
            if tag in _INVISIBLE:
                skipping += 1
            elif not skipping:
                if tag in _BLOCK_TAGS:
                    parts.append("\n\n")
                if node.text:
                    parts.append(node.text)
            continue
        if tag in _INVISIBLE:
            skipping -= 1
        elif not skipping and tag in _BLOCK_TAGS:
            parts.append("\n\n")
        if node is not root and node.tail and not skipping:
            parts.append(node.tail)
    return _squeeze("".join(parts))


def _squeeze(text: str) -> str:
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    return "\n\n".join(p for p in paragraphs if p)
