"""Reason codes of the gate shown to people: a sentence in their language, the code in small print.

The API and the exports keep the bare code (outreach/api.py, outreach/sending.py); a page shows
it only through this tag, so that every page words a decision alike.
"""

from django import template
from django.utils.html import format_html

from outreach.policy import Reason

register = template.Library()


@register.simple_tag
def reason(code, legal_reference: str = "") -> str:
    """``{% reason message.reason message.legal_reference %}``: the label as the sentence, then, in
    small print, the legal reference (when given) and the code, which a rep quotes to the DPO."""
    code = str(getattr(code, "value", code) or "")
    if not code:
        return ""
    sentence = Reason(code).label if code in Reason.values else code
    if legal_reference:
        return format_html(
            '<span class="reason"><span class="reason-text">{}</span> <small class="meta">{} · '
            '<code class="reason-code">{}</code></small></span>',
            sentence,
            legal_reference,
            code,
        )
    return format_html(
        '<span class="reason"><span class="reason-text">{}</span> <small class="meta">'
        '<code class="reason-code">{}</code></small></span>',
        sentence,
        code,
    )
