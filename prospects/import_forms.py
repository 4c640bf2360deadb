"""Forms of the import pages: the file with its provenance, then the column mapping."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from org.forms import DomainErrorsMixin, PersonChoiceField
from prospects.forms import EVIDENCE_PREFIX, evidence_field, source_field_for
from prospects.import_rows import FIELDS
from prospects.models import ImportJob, Language, Prospect
from prospects.ownership import active_reps
from prospects.provenance import EVIDENCE, LINKEDIN_TYPES, linkedin_file_refusal

FIELD_LABELS = {
    **{
        name: capfirst(Prospect._meta.get_field(name).verbose_name)
        for name in ("first_name", "last_name", "job_title", "email", "phone", "linkedin_url", "language")
    },
    "company_name": _("Company"),
    "origin": _("How the supplier collected the row (checked for harvesting tools, not kept)"),
    "stage": _("Stage (a name from the pipeline)"),
    "customer_since": _("Customer since (date of the sale)"),
    "customer_category": _("What was sold (a product or service category)"),
    "customer_ended": _("End of the customer relationship (date)"),
}


class UploadForm(DomainErrorsMixin, forms.Form):
    """One provenance for the whole file; its evidence fields follow the chosen source type."""

    file = forms.FileField(
        label=_("File (.csv or .xlsx, first line naming the columns; or .vcf business cards)")
    )
    source_type = forms.ChoiceField(
        label=_("Where do these people come from?"),
        choices=[
            ("", "—"),
            *ImportJob._meta.get_field("source_type").choices,
            ("scraping", _("Found with a tool (scraper, extension, email finder)")),
        ],
    )
    owner = PersonChoiceField(label=_("Sales rep who owns them"), queryset=None, required=False)
    company_only = forms.BooleanField(
        label=_("Every row is a company record: no person named"),
        required=False,
        help_text=_(
            "Only company or department addresses or numbers (contact@, a switchboard) and company names; "
            "a row naming a person is refused (GDPR art. 4(1))."
        ),
    )

    def __init__(self, *args, pick_owner: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = active_reps()
        if not pick_owner:
            del self.fields["owner"]
        else:
            self.fields["owner"].required = True
        chosen = (self.data.get("source_type") if self.is_bound else self.initial.get("source_type")) or ""
        if chosen not in LINKEDIN_TYPES:  # refused for a file (importing.py), no evidence to ask
            for spec in EVIDENCE.get(chosen, ()):
                self.fields[EVIDENCE_PREFIX + spec.name] = evidence_field(spec)

    @property
    def linkedin(self) -> bool:
        chosen = (self.data.get("source_type") if self.is_bound else self.initial.get("source_type")) or ""
        return chosen in LINKEDIN_TYPES

    def linkedin_refusal(self) -> str:
        return linkedin_file_refusal()

    def evidence_fields(self):
        return [self[name] for name in self.fields if name.startswith(EVIDENCE_PREFIX)]

    def evidence(self) -> dict:
        return {
            name[len(EVIDENCE_PREFIX) :]: value
            for name, value in self.cleaned_data.items()
            if name.startswith(EVIDENCE_PREFIX)
        }

    def field_for(self, name: str) -> str | None:
        return source_field_for(self.fields, name)


class MappingForm(forms.Form):
    """For each field of a prospect, the column of the file that holds it (or none)."""

    def __init__(self, *args, headings: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— not in the file —")), *[(heading, heading) for heading in headings if heading]]
        for name in FIELDS:
            self.fields[name] = forms.ChoiceField(label=FIELD_LABELS[name], choices=choices, required=False)
        # Asked once for the whole file when no column gives each row's (importing.begin).
        self.fields["file_language"] = forms.ChoiceField(
            label=_("Language of the people in this file, when no column gives it"),
            choices=[("", "—"), *Language.choices],
            required=False,
            initial=(get_language() or "")[:2] if (get_language() or "")[:2] in Language.values else "",
        )

    def mapping(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in FIELDS if self.cleaned_data.get(name)}
