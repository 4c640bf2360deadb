"""The form of the "Add from LinkedIn" page: the profile's address asked once."""

from django import forms
from django.utils.translation import gettext_lazy as _

from outreach.linkedin_capture import SOURCES
from prospects.forms import ProspectForm
from prospects.intake import ProspectData, SourceData


class LinkedInForm(ProspectForm):
    """A LinkedIn contact: the source chosen by the rep, one address for link and evidence."""

    source_type = forms.ChoiceField(
        label=_("How do you know this person on LinkedIn?"),
        choices=[(source.value, source.label) for source in SOURCES],
        widget=forms.RadioSelect,
    )
    profile_url = forms.CharField(
        label=_("LinkedIn profile link"),
        max_length=300,
        help_text=_("Filled by the button, or pasted: the link only, never profile content."),
    )

    field_order = ["source_type", "profile_url"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A LinkedIn profile is a person's: the link is asked above, a company record has none.
        for name in ("linkedin_url", "company_only"):
            del self.fields[name]

    def to_data(self) -> ProspectData:
        data = super().to_data()
        data.linkedin_url = self.cleaned_data["profile_url"]
        return data

    def to_source(self) -> SourceData:
        return SourceData(
            type=self.cleaned_data["source_type"], evidence={"profile_url": self.cleaned_data["profile_url"]}
        )

    def field_for(self, name: str) -> str | None:
        if name in ("linkedin_url", "source.profile_url"):
            return "profile_url"
        if name.startswith("source"):
            return "source_type"
        return super().field_for(name)
