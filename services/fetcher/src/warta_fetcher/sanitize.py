"""HTML sanitising and HTML → text for feed content and folder files."""

from __future__ import annotations

import re

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
        return _squeeze(html)
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError, TypeError):
        return _squeeze(re.sub(r"<[^>]*>", " ", html))
    parts: list[str] = []
    for node in root.iter():
        if not isinstance(node.tag, str):  # comments and processing instructions: only their tail is text
            if node.tail:
                parts.append(node.tail)
            continue
        tag = node.tag
        if tag in ("script", "style", "noscript", "template"):
            if node.tail:
                parts.append(node.tail)
            continue
        if tag in _BLOCK_TAGS:
            parts.append("\n\n")
        if node.text and tag not in ("script", "style"):
            parts.append(node.text)
        if node is not root and node.tail:
            if tag in _BLOCK_TAGS:
                parts.append("\n\n")
            parts.append(node.tail)
    return _squeeze("".join(parts))


def _squeeze(text: str) -> str:
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    return "\n\n".join(p for p in paragraphs if p)
