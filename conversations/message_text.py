"""A message's text as agents see it: one function, for the thread, the list's preview and the search index."""

from typing import Any

from consent.encrypted import or_erased
from conversations.models import Message
from sensitive.masking import has_masked, mask_spans


def message_text_shown(message: Message, content: dict[str, Any] | None = None) -> str:
    """A message's text as agents see it: financial and national identifiers masked (last four visible)."""
    if content is None:
        content = or_erased(lambda: message.content, {})
    findings = message.findings or []
    text = content.get("text", "")
    if has_masked(findings) and not message.redacted:
        text = mask_spans(text, findings)
    return text
