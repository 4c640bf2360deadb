from django import forms
from django.utils.translation import gettext_lazy as _

from consent.models import Purpose
from org.forms import DomainErrorsMixin
from outreach.models import Campaign, CampaignChannel, CampaignKind
from outreach.proposals import MAX_REASON_CHARS
from prospects.models import ProspectList, SavedView


class CampaignForm(DomainErrorsMixin, forms.ModelForm):
    """What a rep types about a campaign; campaigns.py decides what may be stored."""

    purpose = forms.ModelChoiceField(
        label=_("Purpose"), queryset=Purpose.objects.filter(is_active=True), to_field_name="code"
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=CampaignChannel.choices)
    kind = forms.ChoiceField(label=_("Kind"), choices=CampaignKind.choices)
    target_list = forms.ModelChoiceField(
        label=_("List"), queryset=ProspectList.objects.none(), required=False, empty_label="—"
    )
    target_segment = forms.ModelChoiceField(
        label=_("or segment (a saved view)"),
        queryset=SavedView.objects.none(),
        required=False,
        empty_label="—",
        help_text=_("A segment is evaluated again when the campaign is sent."),
    )
    target_functions = forms.CharField(
        label=_("Target job functions"),
        required=False,
        help_text=_("One per line, as they appear in job titles (e.g. purchasing, achats)."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = Campaign
        fields = [
            "name", "purpose", "channel", "kind", "target_list", "target_segment", "target_functions",
            "offer_related_to_profession", "offer_category",
            "sender_name", "sender_email", "subject_fr", "body_fr", "subject_en", "body_en",
        ]  # fmt: skip
        help_texts = {
            "body_fr": _("Placeholders: {first_name}, {last_name}, {company}, {job_title}."),
            "body_en": _("The sender, the opt-out link and, when due, the privacy notice are added."),
            "offer_category": _(
                "A customer's soft opt-in needs it: the offer must be like what they bought "
                "(CPCE L34-5 al.4)."
            ),
        }
        widgets = {"body_fr": forms.Textarea(attrs={"rows": 6}), "body_en": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_list"].queryset = ProspectList.objects.visible_to(viewer)
        self.fields["target_segment"].queryset = SavedView.objects.usable_by(viewer)
        if self.instance.pk and not self.is_bound:
            self.initial["target_functions"] = "\n".join(self.instance.target_functions)

    def _get_validation_exclusions(self):
        # The target's rule is campaigns.py's, whose error names the field; the model's
        # constraint would only say it is violated.
        return {*super()._get_validation_exclusions(), "target_list", "target_segment"}

    def clean_target_functions(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["target_functions"].splitlines() if line.strip()]

    def to_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class DismissForm(DomainErrorsMixin, forms.Form):
    """Why a reply read as "stop" is not an objection (proposals.dismiss_proposal decides)."""

    reason = forms.CharField(
        label=_("Why is it not an objection?"),
        max_length=MAX_REASON_CHARS,
        error_messages={"required": _("Say why this reply is not an objection.")},
    )


class LogContactForm(forms.Form):
    notice_given = forms.BooleanField(label=_("I gave the privacy notice in this contact"), required=False)
