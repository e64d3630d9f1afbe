"""Bridge to the shared boilerplate cleaner (``warta.enrichment.boilerplate``).

The cleaner is owned by the shared library; the fetcher only calls it. Paragraphs are normalised to
blank-line separation first so the cleaner sees one paragraph per block.
"""

from __future__ import annotations

import logging
import re

log = logging.getLogger(__name__)
_warned = False


def _paragraphs(text: str) -> str:
    lines = [" ".join(line.split()) for line in re.split(r"\n", text)]
    return "\n\n".join(line for line in lines if line)


def clean_plain_text(text: str, lang_hint: str | None = None) -> str:
    """Text with boilerplate lines removed (shared cleaner) and one blank line between paragraphs."""
    global _warned
    text = _paragraphs(text)
    try:
        from warta.enrichment.boilerplate import clean_text
    except ImportError:
        if not _warned:
            log.warning("warta.enrichment.boilerplate not available; text is not boilerplate-cleaned")
            _warned = True
        return text
    return clean_text(text, lang_hint=lang_hint)


def split_title_and_body(text: str) -> tuple[str | None, str]:
    """First line as title when it looks like one (shared ``split_title``), else ``(None, text)``."""
    try:
        from warta.enrichment.boilerplate import split_title
    except ImportError:
        return None, text
    return split_title(text)
