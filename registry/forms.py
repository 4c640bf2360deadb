from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from org.forms import DomainErrorsMixin
from org.models import Organisation
from org.roles import Role
from registry.breaches import BreachReport
from registry.models import Breach, RequestChannel, RequestKind, RequestStatus
from registry.requests import MAX_EXTENSION_MONTHS, Intake

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class IdentifierFields(forms.Form):
    """The identifiers the blind index knows; used to find a person, never stored by these forms."""

    email = forms.CharField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), required=False)
    linkedin_url = forms.CharField(label=_("LinkedIn profile address"), required=False)


class PersonForm(DomainErrorsMixin, IdentifierFields):
    """Find a person by email, phone or LinkedIn address: one of them at least."""

    def clean(self):
        data = super().clean()
        if not any(data.get(name, "").strip() for name in ("email", "phone", "linkedin_url")):
            raise ValidationError(_("Give the email, the phone number or the LinkedIn profile address."))
        return data


class IntakeForm(DomainErrorsMixin, IdentifierFields):
    """A request as it arrives; the identifiers, if given, link it to the person's record."""

    kind = forms.ChoiceField(label=_("Right exercised"), choices=RequestKind.choices)
    received_on = forms.DateField(label=_("Received on"), widget=DATE)
    channel = forms.ChoiceField(label=_("Received by"), choices=RequestChannel.choices)
    identity_check = forms.CharField(
        label=_("Identity check"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("How the identity was confirmed. Never keep a copy of an ID document."),
    )

    field_order = ["kind", "received_on", "channel", "identity_check", "email", "phone", "linkedin_url"]

    def to_intake(self, *, prospect=None) -> Intake:
        data = {
            name: self.cleaned_data[name] for name in ("kind", "received_on", "channel", "identity_check")
        }
        return Intake(**data, prospect=prospect)


class ExtendForm(DomainErrorsMixin, forms.Form):
    months = forms.TypedChoiceField(
        label=_("Extend by"),
        coerce=int,
        choices=[(n, _("%(n)d month(s)") % {"n": n}) for n in range(1, MAX_EXTENSION_MONTHS + 1)],
    )
    reason = forms.CharField(label=_("Reason, told to the person"), widget=forms.Textarea(attrs={"rows": 2}))


class AssignForm(forms.Form):
    handler = forms.ModelChoiceField(label=_("Handled by"), queryset=get_user_model().objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = (
            get_user_model()
            .objects.filter(is_active=True, groups__name__in=[Role.DPO, Role.ADMIN])
            .distinct()
            .order_by("username")
        )


class CloseForm(DomainErrorsMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("Outcome"), choices=[(s.value, s.label) for s in (RequestStatus.DONE, RequestStatus.REFUSED)]
    )
    outcome = forms.CharField(
        label=_("What was done, or why it is refused"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("A refusal gives its reasons and the right to complain to the CNIL (GDPR 12(4))."),
    )


class BreachForm(DomainErrorsMixin, forms.ModelForm):
    class Meta:
        model = Breach
        fields = [
            "discovered_at", "occurred_at", "nature", "data_concerned", "people_concerned", "people_count",
            "consequences", "measures", "cnil_notified_at", "delay_reason", "people_informed_at",
        ]  # fmt: skip
        widgets = {
            "discovered_at": DATETIME,
            "occurred_at": DATETIME,
            "cnil_notified_at": DATETIME,
            "people_informed_at": DATETIME,
            **{
                name: forms.Textarea(attrs={"rows": 2})
                for name in ("nature", "data_concerned", "people_concerned", "consequences", "measures")
            },
            "delay_reason": forms.Textarea(attrs={"rows": 2}),
        }

    def to_report(self) -> BreachReport:
        return BreachReport(**{name: self.cleaned_data[name] for name in self.Meta.fields})


class NotifiedForm(DomainErrorsMixin, forms.Form):
    cnil_notified_at = forms.DateTimeField(label=_("Notified to the CNIL at"), widget=DATETIME)
    delay_reason = forms.CharField(
        label=_("Why later than 72 hours"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = [
            "name", "address", "email", "legal_representative", "eu_representative", "dpo_name", "dpo_email",
            "dpo_address", "hosting", "emailing", "transfers",
        ]  # fmt: skip
        widgets = {
            "address": forms.Textarea(attrs={"rows": 2}),
            "dpo_address": forms.Textarea(attrs={"rows": 2}),
            "transfers": forms.Textarea(attrs={"rows": 3}),
        }
