from datetime import datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consent.channels import Channel
from consent.models import STAFF_ROUTES, Method, Purpose
from consent.recording import Proof
from org.forms import DomainErrorsMixin

CHANNEL_OR_ALL = [("", _("All channels")), *Channel.choices]
STAFF_ROUTE_CHOICES = [(route.value, route.label) for route in STAFF_ROUTES]


def _moment(day) -> datetime:
    """A date typed by a rep: now if today, else midday that day (local time)."""
    if day is None or day == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.combine(day, time(12)))


class DatedForm(DomainErrorsMixin, forms.Form):
    on = forms.DateField(
        label=_("Date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Today if empty."),
    )

    def clean_on(self):
        day = self.cleaned_data.get("on")
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("This date is in the future."))
        return day

    def moment(self) -> datetime:
        return _moment(self.cleaned_data.get("on"))


class ObjectionForm(DatedForm):
    channel = forms.ChoiceField(label=_("Channel"), choices=CHANNEL_OR_ALL, required=False)
    received_via = forms.ChoiceField(label=_("Received via"), choices=STAFF_ROUTE_CHOICES)

    field_order = ["channel", "received_via", "on"]


class PurposeChannelForm(DatedForm):
    purpose = forms.ModelChoiceField(
        label=_("Purpose"), queryset=Purpose.objects.filter(is_active=True), to_field_name="code"
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)


class WithdrawalForm(PurposeChannelForm):
    received_via = forms.ChoiceField(label=_("Received via"), choices=STAFF_ROUTE_CHOICES)

    field_order = ["purpose", "channel", "received_via", "on"]


class ConsentForm(PurposeChannelForm):
    """A consent collected outside the product, with its proof; refused without it (GDPR 7(1))."""

    method = forms.ChoiceField(label=_("How it was given"), choices=Method.choices)
    wording = forms.CharField(
        label=_("Exact wording the person agreed to"), widget=forms.Textarea(attrs={"rows": 3})
    )
    wording_version = forms.CharField(label=_("Version of the wording"), max_length=50)
    evidence_ref = forms.CharField(label=_("Where the signed form is kept"), max_length=300, required=False)
    ip = forms.GenericIPAddressField(label=_("IP address (online consent)"), required=False)
    user_agent = forms.CharField(label=_("Browser (online consent)"), max_length=500, required=False)
    broker = forms.CharField(label=_("Collected by the broker"), max_length=200, required=False)
    broker_contract_ref = forms.CharField(
        label=_("Broker contract reference"), max_length=200, required=False
    )
    broker_named_us = forms.BooleanField(label=_("The broker's form named us as recipient"), required=False)

    field_order = ["purpose", "channel", "method", "wording", "wording_version", "on", "evidence_ref"]

    def to_proof(self) -> Proof:
        data = self.cleaned_data
        return Proof(
            method=data["method"],
            wording=data["wording"],
            wording_version=data["wording_version"],
            given_at=self.moment(),
            ip=data.get("ip") or None,
            user_agent=data.get("user_agent", ""),
            evidence_ref=data.get("evidence_ref", ""),
            broker=data.get("broker", ""),
            broker_contract_ref=data.get("broker_contract_ref", ""),
            broker_named_us=data.get("broker_named_us", False),
        )


class InvitationForm(forms.Form):
    """One box per purpose and channel, none ticked in advance (GDPR 4(11); CJEU Planet49)."""

    choices = forms.MultipleChoiceField(label="", widget=forms.CheckboxSelectMultiple, required=False)

    def __init__(self, *args, offered, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["choices"].choices = [(choice.key, choice.wording) for choice in offered]


class PreferencesForm(forms.Form):
    # GDPR 21(4): the objection to all prospecting has its own section and button on the page
    # (public_preferences.html), set apart from the other choices; it posts this field alone.
    object_to_all = forms.BooleanField(
        label=_("Do not contact me any more, on any channel"), required=False, widget=forms.HiddenInput
    )
    object_to = forms.MultipleChoiceField(
        label=_("Do not contact me any more on these channels"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    withdraw = forms.MultipleChoiceField(
        label=_("Withdraw these consents"), widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, channels, consents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["object_to"].choices = [
            (choice.channel.value, choice.channel.label) for choice in channels if not choice.objected
        ]
        self.fields["withdraw"].choices = [
            (choice.key, f"{choice.purpose.label} · {choice.channel.label}") for choice in consents
        ]
