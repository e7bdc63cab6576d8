"""Admin forms for API keys: scopes as checkboxes from the one catalogue, and the checks a
key's settings need before ``api_key_create`` (or a plain save on the change page) runs.

The create form only collects and validates; the admin hands ``cleaned_data`` to the
service, which generates the secret. Neither form ever sees a key id, digest or secret.
"""

from __future__ import annotations

import secrets

from django import forms
from django.utils import timezone

from apikeys import scopes as scope_catalogue
from apikeys.models import ApiKey

SCOPE_CHOICES = [(scope, f"{scope} — {description}") for scope, description in scope_catalogue.SCOPES.items()]


class _ApiKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        choices=SCOPE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Write scopes do not grant the matching read scope; cwk_rstr_ keys never write, whatever they "
        "hold. sk_ keys carry coliving and resource-booking scopes, cwk_ keys coworkies scopes.",
    )
    # 0 would silently mean "the default" to the limiter; empty is how to say that.
    rate_limit_per_minute = forms.IntegerField(
        min_value=1, required=False, help_text=ApiKey._meta.get_field("rate_limit_per_minute").help_text
    )

    class Meta:
        model = ApiKey
        fields: list[str] = []  # the admin's fieldsets decide

    def clean_scopes(self) -> list[str]:
        try:
            return scope_catalogue.normalise(self.cleaned_data["scopes"])
        except ValueError as exc:  # unreachable through the checkboxes, kept for forged posts
            raise forms.ValidationError(str(exc)) from None

    def clean(self):
        cleaned = super().clean()
        # The create form picks the prefix; an issued key keeps its own. The service checks
        # the same rule; here it becomes an error on the form instead of a failed save.
        prefix = cleaned.get("prefix") or self.instance.prefix
        if "scopes" in cleaned and (foreign := scope_catalogue.outside_family(prefix, cleaned["scopes"])):
            self.add_error("scopes", scope_catalogue.family_error(prefix, foreign))
        return cleaned

    def clean_expires_at(self):
        expires_at = self.cleaned_data.get("expires_at")
        # An existing key keeps whatever expiry it has; a new or changed one must lie ahead.
        if expires_at is not None and "expires_at" in self.changed_data and expires_at <= timezone.now():
            raise forms.ValidationError("The expiry must be in the future.")
        return expires_at


class ApiKeyCreateForm(_ApiKeyForm):
    """What staff fill in to issue a key; the admin passes it to ``api_key_create``.

    ``nonce`` is new with every blank form and travels with its POST: the same POST sent
    again (a reload of the "key created" page) carries the same nonce and issues nothing.
    """

    nonce = forms.CharField(
        widget=forms.HiddenInput, initial=lambda: secrets.token_urlsafe(24), min_length=16, max_length=64
    )


class ApiKeyChangeForm(_ApiKeyForm):
    """Edits an issued key. Owner and prefix are fixed once the key exists."""
