from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from org.forms import DomainErrorsMixin, PersonChoiceField
from prospects import retention
from prospects.audience import Audience
from prospects.intake import ProspectData, SourceData, chosen_audience
from prospects.listing import Filters, search_problem
from prospects.models import (
    InteractionType,
    Language,
    LegalHoldScope,
    Prospect,
    ProspectList,
    SourceType,
    Stage,
    StageOutcome,
)
from prospects.ownership import active_reps
from prospects.provenance import EVIDENCE

EVIDENCE_PREFIX = "evidence_"


class ProspectForm(DomainErrorsMixin, forms.Form):
    """The person's details; the domain functions in intake.py decide what may be stored."""

    # Required of a person by intake.py; empty on a company record (company_only).
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    job_title = forms.CharField(label=_("Job title"), max_length=200, required=False)
    company_name = forms.CharField(label=_("Company"), max_length=200, required=False)
    email = forms.CharField(
        label=_("Work email"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(label=_("Work phone"), max_length=40, required=False)
    linkedin_url = forms.CharField(
        label=_("LinkedIn profile link"),
        max_length=300,
        required=False,
        help_text=_("The link only: never copy profile content."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices, initial=Language.FR)
    audience = forms.ChoiceField(
        label=_("Audience"),
        choices=[("", _("Automatic, from the email address")), *Audience.choices],
        required=False,
    )
    audience_justification = forms.CharField(
        label=_("Why the audience differs"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    sole_trader = forms.BooleanField(
        label=_("Sole trader (entrepreneur individuel, liberal profession)"),
        required=False,
        help_text=_("A one-person business: its addresses, a role address included, are the person's own."),
    )
    company_only = forms.BooleanField(
        label=_("Company record: no person named"),
        required=False,
        help_text=_(
            "Only a company or department address or number (contact@, a switchboard), no name: outside "
            "the GDPR (art. 4(1)). A record naming anyone is a person's."
        ),
    )

    def to_data(self) -> ProspectData:
        fields = {
            name: self.cleaned_data.get(name) or ""
            for name in self.fields
            if name in ProspectData.__dataclass_fields__
        }
        flags = {name: bool(self.cleaned_data.get(name)) for name in ("sole_trader", "company_only")}
        return ProspectData(**{**fields, **flags})

    def field_for(self, name: str) -> str | None:
        return source_field_for(self.fields, name)


def source_field_for(fields, name: str) -> str | None:
    """Where a domain error about the source shows: its evidence field, else the type chooser."""
    if name.startswith("source."):
        candidate = EVIDENCE_PREFIX + name.split(".", 1)[1]
        return candidate if candidate in fields else "source_type"
    if name == "source":
        return "source_type" if "source_type" in fields else None
    return name if name in fields else None


class NewProspectForm(ProspectForm):
    """Creation also records the source, its evidence and an optional first note."""

    source_type = forms.ChoiceField(
        label=_("Where does this person come from?"),
        choices=[
            ("", "—"),
            *SourceType.choices,
            ("scraping", _("Found with a tool (scraper, extension, email finder)")),
        ],
        required=False,
    )
    note = forms.CharField(label=_("First note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    field_order = ["source_type"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        chosen = (self.data.get("source_type") if self.is_bound else self.initial.get("source_type")) or ""
        for spec in EVIDENCE.get(chosen, ()):
            self.fields[EVIDENCE_PREFIX + spec.name] = evidence_field(spec)

    def evidence_fields(self):
        return [self[name] for name in self.fields if name.startswith(EVIDENCE_PREFIX)]

    def to_data(self) -> ProspectData:
        data = super().to_data()
        data.note = self.cleaned_data.get("note") or ""
        return data

    def to_source(self) -> SourceData | None:
        chosen = self.cleaned_data.get("source_type") or ""
        if not chosen:
            return None
        # Evidence fields that the chosen type does not have are passed on, not dropped, so
        # that the domain refuses them by name (a tool may add copied profile fields).
        evidence = {
            name[len(EVIDENCE_PREFIX) :]: self.cleaned_data.get(name, self.data.get(name))
            for name in {*self.data, *self.cleaned_data}
            if name.startswith(EVIDENCE_PREFIX)
        }
        return SourceData(type=chosen, evidence=evidence)


def evidence_field(spec) -> forms.Field:
    if spec.kind == "bool":
        return forms.BooleanField(label=spec.label, required=False)
    if spec.kind == "date":
        return forms.CharField(
            label=spec.label, required=spec.required, widget=forms.DateInput(attrs={"type": "date"})
        )
    return forms.CharField(label=spec.label, required=spec.required, max_length=500)


def edit_form_for(prospect: Prospect, data=None) -> ProspectForm:
    initial = {
        "first_name": prospect.first_name,
        "last_name": prospect.last_name,
        "job_title": prospect.job_title,
        "company_name": prospect.company.name if prospect.company else "",
        "email": prospect.email,
        "phone": prospect.phone,
        "linkedin_url": prospect.linkedin_url,
        "language": prospect.language,
        "audience": chosen_audience(prospect),
        "audience_justification": prospect.audience_justification,
        "sole_trader": prospect.sole_trader,
        "company_only": prospect.company_only,
    }
    return ProspectForm(data, initial=initial)


@dataclass(frozen=True)
class Offered:
    """The owners, lists and stages the list page's forms offer, each read once per page.

    The filter form and the bulk form show the same accounts, lists and stages: read once
    (plain queries, where a choice field's iteration opens a server-side cursor each time)
    and handed to both, the page runs one query for each instead of five in all. The
    fields keep their querysets: a submitted value is still checked against them.
    """

    owners: list
    lists: list
    stages: list

    @classmethod
    def read(cls, *, owners, lists, stages=None) -> "Offered":
        stages = Stage.objects.order_by("position", "pk") if stages is None else stages
        return cls(owners=list(owners), lists=list(lists), stages=list(stages))


def _offer(field: forms.ModelChoiceField, objects: list) -> None:
    """``field``'s options from ``objects``, as its own iteration of its queryset yields them."""
    iterator = field.iterator(field)
    empty = [("", field.empty_label)] if field.empty_label is not None else []
    field.choices = empty + [iterator.choice(obj) for obj in objects]


class FilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"), required=False, help_text=_("Name, company, or an exact email or phone")
    )
    source_type = forms.ChoiceField(
        label=_("Source"), choices=[("", _("Any")), *SourceType.choices], required=False
    )
    audience = forms.ChoiceField(
        label=_("Audience"), choices=[("", _("Any")), *Audience.choices], required=False
    )
    contactable = forms.ChoiceField(
        label=_("Contactable"), choices=[("", _("Any")), ("yes", _("Yes")), ("no", _("No"))], required=False
    )
    owner = PersonChoiceField(label=_("Owner"), queryset=None, required=False, empty_label=_("Anyone"))
    ending_soon = forms.BooleanField(required=False)
    in_list = forms.ModelChoiceField(
        label=_("On the list"), queryset=ProspectList.objects.none(), required=False, empty_label=_("Any")
    )
    stage = forms.ModelChoiceField(
        label=_("Stage"),
        queryset=Stage.objects.order_by("position", "pk"),
        required=False,
        empty_label=_("Any"),
    )

    def __init__(self, *args, owners, lists=None, offered: Offered | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        if lists is not None:
            self.fields["in_list"].queryset = lists
        if offered is not None:
            _offer(self.fields["owner"], offered.owners)
            _offer(self.fields["in_list"], offered.lists)
            _offer(self.fields["stage"], offered.stages)
        self.fields["ending_soon"].label = _("Retention ends within %(days)d days") % {
            "days": retention.grace_days()
        }

    def clean_q(self) -> str:
        q = self.cleaned_data.get("q") or ""
        if problem := search_problem(q):
            raise forms.ValidationError(problem)
        return q

    def to_filters(self) -> Filters:
        if not self.is_valid():
            return Filters()
        data = self.cleaned_data
        owner = data.get("owner")
        return Filters(
            q=data.get("q") or "",
            source_type=data.get("source_type") or "",
            audience=data.get("audience") or "",
            contactable=data.get("contactable") or "",
            owner=owner.pk if owner else None,
            ending_soon=bool(data.get("ending_soon")),
            in_list=data["in_list"].pk if data.get("in_list") else None,
            stage=data["stage"].pk if data.get("stage") else None,
        )


class BulkForm(forms.Form):
    """A bulk action on the ticked prospects or on the filter's whole result (views.bulk_action)."""

    ADD_TO_LIST, ASSIGN_OWNER, ADD_NEXT_STEP = "add_to_list", "assign_owner", "add_next_step"
    SET_STAGE = "set_stage"

    action = forms.ChoiceField(
        label=_("Action"),
        choices=[
            (ADD_TO_LIST, _("Add to a list")),
            (ASSIGN_OWNER, _("Assign an owner")),
            (SET_STAGE, _("Set the stage")),
            (ADD_NEXT_STEP, _("Add a next step")),
        ],
    )
    scope = forms.ChoiceField(
        label=_("On"),
        choices=[("selected", _("the ticked prospects")), ("all", _("every prospect the filter finds"))],
        initial="selected",
        widget=forms.RadioSelect,
    )
    selected = forms.TypedMultipleChoiceField(coerce=int, required=False, widget=forms.MultipleHiddenInput)
    to_list = forms.ModelChoiceField(label=_("List"), queryset=None, required=False)
    new_owner = PersonChoiceField(label=_("New owner"), queryset=None, required=False)
    # Open and lost stages: a won stage asks what was sold, prospect by prospect (pipeline.move).
    to_stage = forms.ModelChoiceField(
        label=_("Stage"),
        queryset=Stage.objects.exclude(outcome=StageOutcome.WON).order_by("position", "pk"),
        required=False,
    )
    step_what = forms.CharField(label=_("Next step"), max_length=300, required=False)
    step_due_at = forms.DateTimeField(
        label=_("Due"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    step_owner = PersonChoiceField(
        label=_("Step owner"), queryset=None, required=False, empty_label=_("Each prospect's owner")
    )

    def __init__(self, *args, lists, owners, offered: Offered | None = None, **kwargs):
        """``owners``: the active reps among ``offered.owners`` when both are given."""
        super().__init__(*args, **kwargs)
        self.fields["to_list"].queryset = lists
        self.fields["new_owner"].queryset = owners
        self.fields["step_owner"].queryset = owners
        if offered is not None:
            active = [owner for owner in offered.owners if owner.is_active]
            _offer(self.fields["to_list"], offered.lists)
            _offer(self.fields["new_owner"], active)
            _offer(self.fields["step_owner"], active)
            _offer(self.fields["to_stage"], [s for s in offered.stages if s.outcome != StageOutcome.WON])
        # Any id may be ticked: the selection is read among the rows the viewer sees.
        self.fields["selected"].valid_value = lambda value: str(value).isdigit()

    def clean(self):
        data = super().clean()
        if data.get("action") == self.ADD_TO_LIST and not data.get("to_list"):
            self.add_error("to_list", _("Choose the list to add the prospects to."))
        if data.get("action") == self.ASSIGN_OWNER and not data.get("new_owner"):
            self.add_error("new_owner", _("Choose the new owner."))
        if (
            data.get("action") == self.SET_STAGE
            and not data.get("to_stage")
            and "to_stage" not in self.errors
        ):
            self.add_error("to_stage", _("Choose the stage to move the prospects to."))
        if data.get("action") == self.ADD_NEXT_STEP:
            if not (data.get("step_what") or "").strip():
                self.add_error("step_what", _("Say what the next step is."))
            if not data.get("step_due_at") and "step_due_at" not in self.errors:
                self.add_error("step_due_at", _("Give the date and time the step is due."))
        if data.get("scope") == "selected" and not data.get("selected"):
            self.add_error("selected", _("Tick a prospect, or choose every prospect the filter finds."))
        return data

    def ids(self) -> list[int] | None:
        return None if self.cleaned_data["scope"] == "all" else self.cleaned_data["selected"]


class SavedViewForm(DomainErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Name of the view"), max_length=200)
    shared = forms.BooleanField(label=_("Share with my team"), required=False)


class ListForm(forms.Form):
    name = forms.CharField(label=_("Name of the new list"), max_length=200)


class InteractionForm(forms.Form):
    type = forms.ChoiceField(label=_("What happened"), choices=InteractionType.choices)
    occurred_at = forms.DateTimeField(
        label=_("When"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class NextStepForm(forms.Form):
    what = forms.CharField(label=_("Next step"), max_length=300)
    due_at = forms.DateTimeField(
        label=_("Due"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    owner = PersonChoiceField(label=_("Owner"), queryset=None, required=False, empty_label=_("Me"))

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners


class CompleteStepForm(forms.Form):
    """Done, and optionally the interaction it was for (the timeline's rules apply to it)."""

    interaction_type = forms.ChoiceField(
        label=_("Log what happened"),
        choices=[("", _("Nothing to log")), *InteractionType.choices],
        required=False,
    )
    summary = forms.CharField(label=_("Summary"), required=False, max_length=2000)


class LegalHoldForm(DomainErrorsMixin, forms.Form):
    """A legal hold on the prospect page (retention.place_legal_hold decides what is kept)."""

    until = forms.DateField(label=_("Kept until"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), max_length=300)
    scope = forms.ChoiceField(label=_("It keeps"), choices=LegalHoldScope.choices)


class NoteForm(forms.Form):
    text = forms.CharField(label=_("New note"), widget=forms.Textarea(attrs={"rows": 3}))


class DeactivateForm(forms.Form):
    successor = PersonChoiceField(label=_("Hand the prospects to"), queryset=None)

    def __init__(self, *args, rep, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = active_reps().exclude(pk=rep.pk)
