from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from org.accounts import display_name
from org.models import Team
from org.roles import Role


class DomainErrorsMixin:
    """Show a domain function's ``ValidationError`` on the fields it names (the rest on the form)."""

    def apply_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for name, messages in error.message_dict.items():
            self.add_error(self.field_for(name), messages)

    def field_for(self, name: str) -> str | None:
        return name if name in self.fields else None


class PersonChoiceField(forms.ModelChoiceField):
    """A choice of accounts, each shown by the person's name (their username if none)."""

    def label_from_instance(self, obj) -> str:
        return display_name(obj)


class ConductForm(forms.Form):
    text_en = forms.CharField(label=_("Text (English)"), widget=forms.Textarea(attrs={"rows": 12}))
    text_fr = forms.CharField(label=_("Text (French)"), widget=forms.Textarea(attrs={"rows": 12}))


class NewUserForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Letters, digits and @ . + - _ only."),
    )
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("Work email"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.all(),
        required=False,
        help_text=_("Sales reps share their team's prospects."),
    )
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters. The user is asked to change it."),
    )

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is already taken."), code="unique")
        return username

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password"):
            user = get_user_model()(
                username=cleaned.get("username", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
                email=cleaned.get("email", ""),
            )
            try:
                password_validation.validate_password(cleaned["password"], user)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


class DayDigestForm(forms.Form):
    day_digest = forms.BooleanField(
        label=_("E-mail me my day every morning: next steps overdue, due today and this week"),
        required=False,
    )
