"""The forms of the web-form pages: the definition an administrator edits, the visitor's form."""

import unicodedata

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from consent.channels import Channel
from consent.models import Purpose
from org.forms import DomainErrorsMixin
from org.roles import Role
from prospects.identity import normalise_identifiers
from prospects.models import Language
from prospects.timeline import screening_error
from webforms.definitions import ALWAYS_SHOWN, Definition, boxes
from webforms.models import Field, FormVersion, WebForm

HONEYPOT = "website"
BOX_CHANNELS = [(Channel.EMAIL.value, Channel.EMAIL.label), (Channel.PHONE.value, Channel.PHONE.label)]
BOX_CHANNELS.append((Channel.SMS.value, Channel.SMS.label))


class DefinitionForm(DomainErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    slug = forms.SlugField(
        label=_("Address"), max_length=60, help_text=_("The form is served at /f/<address>/.")
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    owner = forms.ModelChoiceField(
        label=_("Sales rep who receives the prospects"),
        queryset=get_user_model()
        .objects.filter(groups__name=Role.SALES, is_active=True)
        .order_by("username"),
    )
    fields = forms.MultipleChoiceField(
        label=_("Fields shown"),
        choices=Field.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The name and the e-mail address are always shown."),
    )
    notice = forms.CharField(
        label=_("Notice shown under the form"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Who the controller is, why the data are collected, how to object (GDPR art. 13)."),
    )
    is_live = forms.BooleanField(label=_("Live (served at its address)"), required=False, initial=True)

    @classmethod
    def initial_for(cls, form: WebForm, version: FormVersion) -> dict:
        return {
            "name": form.name,
            "slug": form.slug,
            "language": form.language,
            "owner": form.owner,
            "fields": version.fields,
            "notice": version.notice,
            "is_live": form.is_live,
        }

    def to_definition(self, consents: list[dict]) -> Definition:
        data = self.cleaned_data
        return Definition(
            name=data["name"],
            slug=data["slug"],
            language=data["language"],
            owner=data["owner"],
            fields=list(dict.fromkeys([*ALWAYS_SHOWN, *data["fields"]])),
            notice=data["notice"],
            consents=consents,
            is_live=data["is_live"],
        )


class ConsentBoxForm(forms.Form):
    purpose = forms.ModelChoiceField(
        label=_("Purpose"), queryset=Purpose.objects.filter(is_active=True), to_field_name="code"
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=BOX_CHANNELS)
    wording = forms.CharField(
        label=_("Wording next to the box"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def as_box(self) -> dict:
        data = self.cleaned_data
        return {"purpose": data["purpose"].code, "channel": data["channel"], "wording": data["wording"]}


ConsentBoxFormSet = forms.formset_factory(ConsentBoxForm, extra=2, max_num=6, validate_max=True)


def one_line(value: str) -> str:
    if any(unicodedata.category(char) == "Cc" for char in value):
        raise forms.ValidationError(_("Remove the line breaks, tabs and other control characters."))
    return value


class VisitorForm(forms.Form):
    """What a visitor types on a public form; the version decides which fields and boxes show."""

    first_name = forms.CharField(label=_("First name"), max_length=100, validators=[one_line])
    last_name = forms.CharField(label=_("Last name"), max_length=100, validators=[one_line])
    email = forms.CharField(label=_("Work e-mail"), max_length=254)
    phone = forms.CharField(label=_("Work phone"), max_length=40, required=False)
    company = forms.CharField(label=_("Company"), max_length=200, required=False, validators=[one_line])
    job_title = forms.CharField(label=_("Job title"), max_length=200, required=False, validators=[one_line])
    message = forms.CharField(
        label=_("Message"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, version: FormVersion, **kwargs):
        super().__init__(*args, **kwargs)
        shown = set(version.fields)
        for name, code in (
            ("phone", Field.PHONE),
            ("company", Field.COMPANY),
            ("job_title", Field.JOB_TITLE),
        ):
            if code not in shown:
                del self.fields[name]
        if Field.MESSAGE not in shown:
            del self.fields["message"]
        self.boxes = boxes(version)

    def clean(self):
        cleaned = super().clean()
        raw = {"email": cleaned.get("email", ""), "phone": cleaned.get("phone", "")}
        _normalised, errors = normalise_identifiers(raw)
        for name, error in errors.items():
            self.add_error(name, error.message)
        if cleaned.get("message") and (problem := screening_error(cleaned["message"])):
            self.add_error("message", problem)
        return cleaned

    def ticked(self) -> frozenset[str]:
        return frozenset(
            box["name"] for box in self.boxes if self.data.get(box["name"]) in ("on", "1", "yes")
        )

    def values(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "token"}
