from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from org.forms import DomainErrorsMixin, PersonChoiceField
from org.models import Organisation, Processor
from org.roles import Role
from prospects.models import RestrictionGround
from registry import records
from registry.art30 import PROCESSOR_ROLES
from registry.breaches import REPORT_FIELDS, BreachReport
from registry.fiche import CATEGORY_LABELS, MEASURE_LABELS, DataCategory, Period
from registry.models import (
    Breach,
    InformedBy,
    LegalBasis,
    ProcessingActivity,
    RequestChannel,
    RequestKind,
    RequestStatus,
    RetentionRule,
)
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
    # Not required here: ``requests.extend`` says which rule a missing date breaks.
    told_on = forms.DateField(
        label=_("Person told of the extension and its reasons on"), required=False, widget=DATE
    )


class RestrictForm(DomainErrorsMixin, forms.Form):
    ground = forms.ChoiceField(
        label=_("Ground (GDPR art. 18(1))"),
        choices=[
            (value, label)
            for value, label in RestrictionGround.choices
            if value != RestrictionGround.LEGAL_HOLD
        ],
    )


class LiftForm(DomainErrorsMixin, forms.Form):
    """GDPR 18(3): how and when the person was told, before the restriction is lifted."""

    # Not required here: ``rights.lift_restriction`` says which rule a missing value breaks.
    informed_on = forms.DateField(label=_("Person told on"), required=False, widget=DATE)
    informed_by = forms.ChoiceField(
        label=_("Told by"), choices=[("", "—"), *InformedBy.choices], required=False
    )
    text = forms.CharField(
        label=_("What the person was told"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class AssignForm(DomainErrorsMixin, forms.Form):
    handler = PersonChoiceField(label=_("Handled by"), queryset=get_user_model().objects.none())

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
    remedies_told = forms.BooleanField(
        label=_(
            "For a refusal: the person was told they may complain to the CNIL and seek a judicial remedy"
        ),
        required=False,
    )


BREACH_DATES = ("discovered_at", "occurred_at", "ended_at", "processor_alerted_at", "cnil_notified_at")
BREACH_TEXTS = (
    "nature", "data_concerned", "people_concerned", "consequences", "measures", "risk_reasons",
    "delay_reason", "communication_notes",
)  # fmt: skip
BREACH_SECTIONS = (
    (
        _("What happened"),
        ("discovered_at", "occurred_at", "ended_at", "nature", "confidentiality", "integrity", "availability",
         "processor_name", "processor_alerted_at"),
    ),
    (_("Data and people concerned (art. 33(3)(a))"), ("data_concerned", "records_count", "people_concerned",
                                                      "people_count")),
    (_("Effects and remedial action (art. 33(3)(c)-(d))"), ("consequences", "measures")),
    (
        _("Risk and notification to the CNIL (art. 33(1), 33(4))"),
        ("risk", "risk_reasons", "cnil_notified_at", "cnil_reference", "phased", "delay_reason"),
    ),
    (
        _("Telling the people (art. 34)"),
        ("people_informed_at", "no_communication_ground", "communication_notes"),
    ),
)  # fmt: skip


class BreachForm(DomainErrorsMixin, forms.ModelForm):
    """An entry of the breach register, to record or to complete (GDPR 33(3)-(5), 34)."""

    class Meta:
        model = Breach
        fields = list(REPORT_FIELDS)
        widgets = {
            **{name: DATETIME for name in (*BREACH_DATES, "people_informed_at")},
            **{name: forms.Textarea(attrs={"rows": 2}) for name in BREACH_TEXTS},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["risk"].choices = [("", _("Not assessed yet")), *self.fields["risk"].choices[1:]]
        self.fields["no_communication_ground"].choices = [
            ("", _("None: the people are told, or the risk is not high")),
            *self.fields["no_communication_ground"].choices[1:],
        ]

    def to_report(self) -> BreachReport:
        return BreachReport(**{name: self.cleaned_data[name] for name in self.Meta.fields})

    def sections(self) -> list[tuple[str, list]]:
        return [(title, [self[name] for name in names]) for title, names in BREACH_SECTIONS]


class NotifiedForm(DomainErrorsMixin, forms.Form):
    cnil_notified_at = forms.DateTimeField(label=_("Notified to the CNIL at"), widget=DATETIME)
    reference = forms.CharField(label=_("CNIL notification number"), required=False, max_length=100)
    phased = forms.BooleanField(
        label=_("Initial notification: complementary information to follow"), required=False
    )
    delay_reason = forms.CharField(
        label=_("Why later than 72 hours"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class FollowUpForm(DomainErrorsMixin, forms.Form):
    notified_at = forms.DateTimeField(label=_("Sent to the CNIL at"), widget=DATETIME)
    summary = forms.CharField(label=_("What it adds"), widget=forms.Textarea(attrs={"rows": 2}))
    completes = forms.BooleanField(label=_("This completes the notification"), required=False)


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = [
            "name", "address", "email", "legal_representative", "eu_representative", "dpo_name", "dpo_email",
            "dpo_address", "transfers",
        ]  # fmt: skip
        widgets = {
            "address": forms.Textarea(attrs={"rows": 2}),
            "dpo_address": forms.Textarea(attrs={"rows": 2}),
            "transfers": forms.Textarea(attrs={"rows": 3}),
        }


class ProcessorForm(forms.ModelForm):
    """One processor; ``Processor.clean`` checks the country and the safeguard of a transfer."""

    class Meta:
        model = Processor
        fields = [
            "role", "role_label", "name", "country", "safeguard", "documentation", "public_description_en",
            "public_description_fr",
        ]  # fmt: skip


# The organisation page's processors: add, edit, remove, saved with the organisation or not at all.
ProcessorFormSet = forms.inlineformset_factory(
    Organisation, Processor, form=ProcessorForm, extra=1, can_delete=True
)


# --- A processing activity of the register ------------------------------------------------------

TEXTAREA = forms.Textarea(attrs={"rows": 3})
# The page's sections, in the order of the CNIL model's fiche; a pair is one text in both languages.
ACTIVITY_SECTIONS = (
    (_("Activity"), ("name", "purpose", "sub_purposes")),
    (_("Legal basis (art. 6)"), ("legal_bases", "legal_basis", "lia_reference")),
    (_("People and data (art. 30(1)(c))"), ("data_subjects", "categories", "sensitive_data", "sources")),
    (
        _("Recipients (art. 30(1)(d)) and transfers (art. 30(1)(e))"),
        ("recipients_internal", "recipients_external", "processors", "other_processors", "transfers",
         "joint_controller"),
    ),
    (_("Security (art. 30(1)(g), 32)"), ("measures", "backup_measures", "processor_contracts")),
    (_("Impact assessment (art. 35) and rights"), ("dpia_status", "dpia_reference", "dpia_notes", "rights")),
)  # fmt: skip


class ActivityForm(DomainErrorsMixin, forms.ModelForm):
    """A record of the register as the DPO edits it; ``values`` is what ``records.update_activity`` takes."""

    # Not required here: ``records.update_activity`` says which rule an empty choice breaks.
    legal_bases = forms.MultipleChoiceField(
        label=_("Lawful bases (art. 6(1))"),
        choices=LegalBasis.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    processors = forms.MultipleChoiceField(
        label=_("Processors named in the organisation's details"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ProcessingActivity
        fields = [
            "name_en", "name_fr", "purpose_en", "purpose_fr", "sub_purposes_en", "sub_purposes_fr",
            "legal_bases", "legal_basis_en", "legal_basis_fr", "lia_reference", "data_subjects_en",
            "data_subjects_fr", "sensitive_data_en", "sensitive_data_fr", "sources_en", "sources_fr",
            "recipients_internal_en", "recipients_internal_fr", "recipients_external_en",
            "recipients_external_fr", "processors", "other_processors", "transfers_en", "transfers_fr",
            "joint_controller_en", "joint_controller_fr", "backup_measures", "processor_contracts",
            "dpia_status", "dpia_reference", "dpia_notes_en", "dpia_notes_fr", "rights_en", "rights_fr",
        ]  # fmt: skip
        widgets = {
            name: TEXTAREA
            for name in fields
            if name not in ("name_en", "name_fr", "legal_bases", "processors", "lia_reference", "dpia_status",
                            "dpia_reference")
        }  # fmt: skip
        help_texts = {
            "transfers_en": _("Empty: the organisation's statement on transfers applies."),
            "transfers_fr": _("Empty: the organisation's statement on transfers applies."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        organisation = Organisation.objects.current()
        processors = organisation.processor_list()
        self.fields["processors"].choices = [
            (
                role,
                f"{PROCESSOR_ROLES[role].in_language(_language())}: "
                + (", ".join(p.name for p in processors if p.role == role) or "-"),
            )
            for role in records.PROCESSOR_ROLES
        ]
        self.fields["dpia_status"].choices = [
            ("", _("Not recorded yet")),
            *self.fields["dpia_status"].choices[1:],
        ]
        self._add_pairs("category", DataCategory, CATEGORY_LABELS, self.instance.data_categories)
        self._add_pairs("measure", records.DESCRIBED_MEASURES, MEASURE_LABELS, self.instance.security)

    def _add_pairs(self, prefix: str, codes, names: dict, stored: dict) -> None:
        for code in codes:
            for language, word in (("en", _("English")), ("fr", _("French"))):
                self.fields[f"{prefix}_{code}_{language}"] = forms.CharField(
                    label=f"{names[code].in_language(_language())} ({word})",
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 2}),
                    initial=(stored.get(code) or {}).get(language, ""),
                )

    def values(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["data_categories"] = self._pairs("category", DataCategory)
        data["security"] = self._pairs("measure", records.DESCRIBED_MEASURES)
        return data

    def _pairs(self, prefix: str, codes) -> dict:
        pairs = {}
        for code in codes:
            texts = {
                lang: self.cleaned_data.get(f"{prefix}_{code}_{lang}", "").strip() for lang in ("en", "fr")
            }
            if any(texts.values()):
                pairs[str(code)] = texts
        return pairs

    def field_for(self, name: str) -> str | None:
        """``data_categories.identity`` is shown on the English field of that category."""
        field, _dot, code = name.partition(".")
        prefix = {"data_categories": "category", "security": "measure"}.get(field)
        if prefix and code:
            return f"{prefix}_{code}_en"
        return super().field_for(name)

    def sections(self) -> list[tuple[str, list[list]]]:
        """The bound fields by section; each row is one field, or a text's English and French fields."""
        groups = {
            "categories": ("category", DataCategory),
            "measures": ("measure", records.DESCRIBED_MEASURES),
        }
        laid_out = []
        for title, names in ACTIVITY_SECTIONS:
            rows = []
            for name in names:
                if name in groups:
                    prefix, codes = groups[name]
                    rows += [[self[f"{prefix}_{code}_en"], self[f"{prefix}_{code}_fr"]] for code in codes]
                elif name in self.fields:
                    rows.append([self[name]])
                else:
                    rows.append([self[f"{name}_en"], self[f"{name}_fr"]])
            laid_out.append((title, rows))
        return laid_out


def _language() -> str:
    return "fr" if (translation.get_language() or "").startswith("fr") else "en"


def period_choices() -> list[tuple[str, str]]:
    """Each retention period, a linked one with the value the purge applies today."""
    choices = [(Period.FIXED.value, str(_("Fixed: the years or months typed here")))]
    for period, source in records.PERIOD_SOURCES.items():
        years, months = records.duration(period)
        amount = _("%(n)d years") % {"n": years} if years else _("%(n)d months") % {"n": months}
        choices.append((period.value, f"{source} ({amount})"))
    return choices


class RetentionForm(DomainErrorsMixin, forms.Form):
    """One retention rule of the activity (art. 30(1)(f))."""

    pk = forms.IntegerField(required=False, widget=forms.HiddenInput)
    data_en = forms.CharField(label=_("Data (English)"))
    data_fr = forms.CharField(label=_("Data (French)"))
    # Fixed by default: the empty extra rule, posted with its select's first choice, stays unchanged.
    period = forms.ChoiceField(
        initial=Period.FIXED,
        label=_("Period"),
        help_text=_("A linked period is the one the purge applies: it follows the setting, not the page."),
    )
    years = forms.IntegerField(label=_("Years"), min_value=0, required=False)
    months = forms.IntegerField(label=_("Months"), min_value=0, required=False)
    start_en = forms.CharField(label=_("From (English)"))
    start_fr = forms.CharField(label=_("From (French)"))
    then_en = forms.CharField(label=_("At the end (English)"))
    then_fr = forms.CharField(label=_("At the end (French)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = period_choices()

    def entry(self) -> records.RetentionEntry:
        data = self.cleaned_data
        texts = {
            name: data[name] for name in ("data_en", "data_fr", "start_en", "start_fr", "then_en", "then_fr")
        }
        return records.RetentionEntry(
            **texts,
            period=data["period"],
            years=data["years"] or 0,
            months=data["months"] or 0,
            pk=data["pk"],
        )


class BaseRetentionFormSet(forms.BaseFormSet):
    def entries(self) -> list[records.RetentionEntry]:
        """The rules kept, in their order: every stored one not deleted, and each new one filled in."""
        return [form.entry() for form in self.forms if form.cleaned_data and form not in self.deleted_forms]


RetentionFormSet = forms.formset_factory(
    RetentionForm, formset=BaseRetentionFormSet, extra=1, can_delete=True
)


def retention_initial(rules: list[RetentionRule]) -> list[dict]:
    fields = ("data_en", "data_fr", "period", "years", "months", "start_en", "start_fr", "then_en", "then_fr")
    return [{"pk": rule.pk, **{name: getattr(rule, name) for name in fields}} for rule in rules]
