"""One tag shows a reason code on every page: the sentence first, the code in small print."""

from django.template import Context, Template
from django.utils import translation

from outreach.policy import Reason


def shown(code, reference="") -> str:
    template = Template("{% load reasons %}{% reason code reference %}")
    return template.render(Context({"code": code, "reference": reference}))


def test_a_code_is_shown_as_its_sentence_with_the_reference_and_the_code_in_small_print():
    html = shown(Reason.OK_B2B_LI, "CPCE L34-5")

    assert html == (
        '<span class="reason"><span class="reason-text">B2B legitimate interest</span> '
        '<small class="meta">CPCE L34-5 · <code class="reason-code">OK_B2B_LI</code></small></span>'
    )


def test_the_sentence_is_in_the_readers_language_and_the_code_stays():
    with translation.override("fr"):
        html = shown("OK_CONSENT")

    assert '<span class="reason-text">Consentement valide</span>' in html
    assert '<code class="reason-code">OK_CONSENT</code>' in html


def test_no_code_shows_nothing():
    assert shown("") == ""
