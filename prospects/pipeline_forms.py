"""Forms of the pipeline pages: a move on the board, a customer's facts, the admin's lists."""

from django import forms
from django.utils.translation import gettext_lazy as _

from org.forms import DomainErrorsMixin
from prospects.models import ProductCategory, Stage, StageOutcome


def _categories():
    return ProductCategory.objects.order_by("name", "pk")


class MoveForm(DomainErrorsMixin, forms.Form):
    stage = forms.ModelChoiceField(label=_("Stage"), queryset=Stage.objects.order_by("position", "pk"))
    category = forms.ModelChoiceField(
        label=_("What was sold"),
        queryset=_categories(),
        required=False,
        empty_label="—",
        help_text=_("Asked when the prospect is won: they become a customer from today."),
    )


class CustomerForm(DomainErrorsMixin, forms.Form):
    is_customer = forms.BooleanField(label=_("Customer"), required=False)
    customer_since = forms.DateField(
        label=_("Customer since"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    customer_category = forms.ModelChoiceField(
        label=_("What was sold"), queryset=_categories(), required=False, empty_label="—"
    )
    customer_opt_out_offered = forms.BooleanField(
        label=_("A free refusal of prospecting was offered at the sale"), required=False
    )
    customer_opt_out_offered_at = forms.DateField(
        label=_("Refusal offered on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    customer_opt_out_evidence = forms.CharField(
        label=_("How the refusal was offered"),
        max_length=300,
        required=False,
        help_text=_("E.g. an unticked box on the order form, version 3."),
    )
    customer_relationship_ended_at = forms.DateField(
        label=_("End of the customer relationship"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Kept three years after it ends."),
    )


class StageForm(DomainErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=StageOutcome.choices)
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=1000, required=False)


class CategoryForm(DomainErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    similar_to = forms.ModelMultipleChoiceField(
        label=_("Similar to"),
        queryset=_categories(),
        required=False,
        help_text=_("A customer who bought one may receive offers of the others (soft opt-in)."),
    )
