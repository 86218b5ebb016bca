"""What the DPO's snippet page hands the company's web team, beside the WhatsApp snippet (contactcenter.snippet)."""

from django import template
from django.utils.safestring import SafeString

from contactcenter.snippet import webchat_embed

register = template.Library()


@register.simple_tag
def webchat_embed_code() -> SafeString:
    """The web-chat widget's tag (HTML: the template shows it with ``force_escape`` in the copy box)."""
    return webchat_embed()
