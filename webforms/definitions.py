"""Defining a web form: each save is a new immutable version, hashed as it is shown.

The proof of a consent or a notice is the exact text the person saw (GDPR 7(1), 13(1);
EDPB 05/2020 §108; docs/rules.md §2.4). The text of a version is rendered once, here, from
its notice and its boxes' wordings; the public page shows that text and the hash of it
is what every submission's evidence and consent proof points to.
"""

import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from consent.channels import Channel
from consent.models import Purpose
from org.roles import Role, has_role
from prospects.timeline import screening_error
from webforms.models import Field, FormVersion, WebForm

ALWAYS_SHOWN = (Field.NAME, Field.EMAIL)
# A box may ask consent only for a channel the form collects the coordinate of.
CHANNELS_BY_FIELD = {
    Field.EMAIL: (Channel.EMAIL,),
    Field.PHONE: (Channel.PHONE, Channel.SMS),
}
SEPARATOR = "\n\n"


@dataclass(kw_only=True)
class Definition:
    """What an administrator or the DPO types about a form."""

    name: str
    slug: str
    language: str
    owner: object
    fields: list[str]
    notice: str
    consents: list[dict] = field(default_factory=list)  # {"purpose", "channel", "wording"}
    is_live: bool = True


def rendered_text(notice: str, consents: list[dict]) -> str:
    """The exact text a version shows: its notice, then each box's wording, in order."""
    return SEPARATOR.join([notice, *(box["wording"] for box in consents)])


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _check(definition: Definition, form: WebForm | None) -> dict:
    errors: dict[str, list[str]] = {}
    if not definition.name.strip():
        errors["name"] = [_("Name the form.")]
    taken = WebForm.objects.filter(slug=definition.slug).exclude(pk=form.pk if form else None)
    if taken.exists():
        errors["slug"] = [_("Another form already has this address.")]
    unknown = set(definition.fields) - set(Field.values)
    missing = [str(Field(code).label) for code in ALWAYS_SHOWN if code not in definition.fields]
    if unknown or missing:
        errors["fields"] = [
            _(
                "A form always shows the name and the e-mail address: the record and the double opt-in "
                "need them."
            )
        ]
    if not definition.notice.strip():
        errors["notice"] = [_("Write the notice shown under the form (GDPR art. 13).")]
    elif problem := screening_error(definition.notice):
        errors["notice"] = [problem]
    if definition.owner is None or not has_role(definition.owner, Role.SALES):
        errors["owner"] = [_("Choose the sales rep whose team receives the prospects of this form.")]
    _check_consents(definition, errors)
    return errors


def _check_consents(definition: Definition, errors: dict) -> None:
    collected = {channel for code in definition.fields for channel in CHANNELS_BY_FIELD.get(code, ())}
    seen = set()
    for index, box in enumerate(definition.consents, start=1):
        key = (box.get("purpose"), box.get("channel"))
        if not Purpose.objects.filter(code=box.get("purpose"), is_active=True).exists():
            errors.setdefault("consents", []).append(
                _("Box %(n)s: choose a declared purpose.") % {"n": index}
            )
        elif box.get("channel") not in collected:
            errors.setdefault("consents", []).append(
                _("Box %(n)s: the form does not collect the coordinate for this channel.") % {"n": index}
            )
        elif not str(box.get("wording", "")).strip():
            errors.setdefault("consents", []).append(
                _(
                    "Box %(n)s: write the sentence next to the box; it is the consent's proof "
                    "(GDPR art. 7(1))."
                )
                % {"n": index}
            )
        elif key in seen:
            errors.setdefault("consents", []).append(
                _("Box %(n)s: another box already asks for this purpose and channel.") % {"n": index}
            )
        seen.add(key)


@transaction.atomic
def save_form(definition: Definition, *, form: WebForm | None = None, by) -> WebForm:
    """Create a form or save an edit; either way a new version is written, the old ones kept."""
    errors = _check(definition, form)
    if errors:
        raise ValidationError(errors)
    form = form or WebForm()
    form.name, form.slug = definition.name.strip(), definition.slug
    form.language, form.owner, form.is_live = definition.language, definition.owner, definition.is_live
    form.save()
    WebForm.objects.select_for_update().filter(pk=form.pk).first()  # one version number at a time
    consents = [
        {"purpose": box["purpose"], "channel": box["channel"], "wording": box["wording"].strip()}
        for box in definition.consents
    ]
    notice = definition.notice.strip()
    text = rendered_text(notice, consents)
    last = form.versions.order_by("-number").first()
    FormVersion.objects.create(
        form=form,
        number=(last.number + 1) if last else 1,
        fields=[code for code in Field.values if code in definition.fields],
        notice=notice,
        consents=consents,
        rendered=text,
        sha256=text_hash(text),
        created_by=by,
    )
    return form


def current_version(form: WebForm) -> FormVersion:
    return form.versions.order_by("-number").first()


def public_url(form: WebForm) -> str:
    """The form's absolute address, on LOYAL_SITE_URL (never the request's Host)."""
    return settings.LOYAL_SITE_URL.rstrip("/") + reverse("webforms:public", kwargs={"slug": form.slug})


def snippets(form: WebForm) -> dict[str, str]:
    """The HTML an administrator pastes into the company's site: a plain form, or an iframe.

    The plain form needs no script: its first post, without the page's signed token, is
    answered by Loyal's own page with the values kept, to be sent again (webforms/public.py).
    """
    version = current_version(form)
    context = {"form": form, "version": version, "url": public_url(form), "boxes": boxes(version)}
    return {
        "form": render_to_string("webforms/snippet_form.html", context).strip(),
        "iframe": render_to_string("webforms/snippet_iframe.html", context).strip(),
    }


def boxes(version: FormVersion) -> list[dict]:
    """The consent boxes of a version with their field names (``consent_<index>``)."""
    return [{**box, "name": f"consent_{index}"} for index, box in enumerate(version.consents)]
