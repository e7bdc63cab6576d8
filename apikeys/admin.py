"""The admin for API keys, integration providers and idempotency records.

Issuing a key goes through ``api_key_create`` and answers with a one-off page that shows
the full key; nothing else ever shows it. The key is never handed to the messages
framework (its cookie storage would put it in the browser), nor to the session or the
cache: it lives in this request's memory and in that page's body only. Reloading that
page re-posts the form: its one-time ``nonce`` (unique on the key) recognises the
resubmission and answers with a page that links to the key issued the first time,
without issuing another. Revoking (from the list or the key's own page) and
(de)activating go through their services, which append to the security log; the admin
adds its own ``LogEntry`` (History). A revoked key's page is read-only. The digest is
never displayed. Admin pages are ``never_cache`` (``Cache-Control: no-store``) already.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.db.models import QuerySet
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.functional import lazy
from django.utils.html import format_html, format_html_join
from django.utils.translation import ngettext

from apikeys import keys
from apikeys.forms import ApiKeyChangeForm, ApiKeyCreateForm
from apikeys.models import ApiKey, ApiKeyDailyUsage, IdempotencyRecord, Provider
from apikeys.services import api_key_create, api_key_revoke, api_key_set_active, api_key_update
from coliving.api.client_ip import client_ip
from coliving.api.errors import InvalidInput

DAILY_USAGE_ROWS = 60
SCOPES_SHOWN_IN_LIST = 3


def usage_lag_note() -> str:
    return (
        f"Usage counters are written in batches, at most every {settings.APIKEY_USAGE_FLUSH_SECONDS} seconds per "
        "server process: the most recent requests may not be counted yet."
    )


class StatusFilter(admin.SimpleListFilter):
    """The ``status`` property as queryset filters, with the same precedence:
    revoked, then inactive, then expired, else active."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return ApiKey.Status.choices

    def queryset(self, request, queryset: QuerySet[ApiKey]) -> QuerySet[ApiKey] | None:
        if self.value() in ApiKey.Status.values:
            return queryset.with_status(self.value())
        return None


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    form = ApiKeyChangeForm
    add_form = ApiKeyCreateForm
    created_template = "admin/apikeys/apikey/created.html"
    already_created_template = "admin/apikeys/apikey/already_created.html"
    revoke_template = "admin/apikeys/apikey/revoke_confirmation.html"

    # Ten narrow columns: scopes are cut to a few, dates without seconds (fits 1400 px).
    list_display = (
        "name",
        "owner",
        "masked_key",
        "scope_list",
        "status_display",
        "expires_at",
        "created_at",
        "created_by",
        "last_used_at",
        "usage",
    )
    list_filter = (StatusFilter, "prefix", ("owner", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("owner", "created_by")
    search_fields = ("name", "owner__email", "key_id")
    autocomplete_fields = ("owner", "space", "provider")
    actions = ("revoke", "deactivate", "activate")

    add_fieldsets = (
        (None, {"fields": ("nonce", "owner", "name", "scopes")}),
        ("Binding", {"fields": ("prefix", "space", "provider")}),
        ("Limits", {"fields": ("expires_at", "rate_limit_per_minute")}),
    )
    fieldsets = (
        (None, {"fields": ("masked_key", "status_display", "owner", "name", "scopes")}),
        ("Binding", {"fields": ("prefix", "space", "provider")}),
        ("Limits", {"fields": ("is_active", "expires_at", "rate_limit_per_minute")}),
        ("History", {"fields": ("created_by", "created_at", "revoked_at", "revoked_by")}),
        (
            "Usage",
            {
                "fields": ("usage_count", "last_used_at", "last_used_ip", "daily_usage_table"),
                "description": "",  # usage_lag_note(), filled in per request: the setting may change in tests
            },
        ),
    )
    # Owner and prefix are fixed once issued: re-pointing a live key at another owner
    # would hand whoever holds it that owner's data.
    change_readonly_fields = (
        "masked_key",
        "status_display",
        "owner",
        "prefix",
        "created_by",
        "created_at",
        "revoked_at",
        "revoked_by",
        "usage_count",
        "last_used_at",
        "last_used_ip",
        "daily_usage_table",
    )

    # --- forms ------------------------------------------------------------------------

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        *head, (usage_title, usage_options) = self.fieldsets
        return (*head, (usage_title, {**usage_options, "description": usage_lag_note()}))

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return self.change_readonly_fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = self.add_form if obj is None else self.form
        return super().get_form(request, obj, change=change, **kwargs)

    def has_change_permission(self, request, obj=None):
        # A revoked key is over: its page shows it read-only (no scopes, no "is active").
        if obj is not None and obj.revoked_at is not None:
            return False
        return super().has_change_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        # Keys are revoked, not deleted from a list: revocation keeps their history.
        actions.pop("delete_selected", None)
        return actions

    def add_view(self, request, form_url="", extra_context=None):
        nonce = request.POST.get("nonce", "") if request.method == "POST" else ""
        if nonce and (issued := ApiKey.objects.filter(creation_nonce=nonce).first()) is not None:
            return self._already_created(request, issued)
        try:
            return super().add_view(request, form_url, extra_context)
        except IntegrityError:
            # The same form posted twice at once: the other request issued the key.
            issued = ApiKey.objects.filter(creation_nonce=nonce).first() if nonce else None
            if issued is None:
                raise
            return self._already_created(request, issued)

    def save_model(self, request, obj, form, change):
        if change:
            changes = {field: form.cleaned_data[field] for field in form.changed_data}
            try:
                api_key_update(key=obj, changes=changes, by=request.user, ip=client_ip(request))
            except InvalidInput as exc:
                obj._refused = exc  # read by response_change and log_change
            return
        data = form.cleaned_data
        key, raw = api_key_create(
            owner=data["owner"],
            name=data["name"],
            scopes=data["scopes"],
            prefix=data["prefix"],
            space=data.get("space"),
            provider=data.get("provider"),
            expires_at=data.get("expires_at"),
            rate_limit_per_minute=data.get("rate_limit_per_minute"),
            created_by=request.user,
            nonce=data["nonce"],
            ip=client_ip(request),
        )
        # The admin carries on with ``obj`` (log entry, response_add): make it the saved key.
        for field in ApiKey._meta.concrete_fields:
            setattr(obj, field.attname, getattr(key, field.attname))
        obj._state.adding, obj._state.db = False, key._state.db
        obj._new_raw_key = raw  # in memory for this request only; read by response_add

    def response_add(self, request, obj, post_url_continue=None):
        """Show the full key, once, on a page of its own (no redirect, no message, no session)."""
        context = {
            **self.admin_site.each_context(request),
            "title": "API key created",
            "subtitle": None,
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "original": obj,
            "raw_key": obj._new_raw_key,
            "has_view_permission": self.has_view_permission(request, obj),
            "has_add_permission": self.has_add_permission(request),
        }
        response = TemplateResponse(request, self.created_template, context)
        add_never_cache_headers(response)
        return response

    def _already_created(self, request, issued: ApiKey):
        """The answer to a re-posted add form: the key exists, its secret is not shown again."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": "API key already created",
            "subtitle": None,
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "original": issued,
            "has_view_permission": self.has_view_permission(request, issued),
            "has_add_permission": True,
        }
        response = TemplateResponse(request, self.already_created_template, context)
        add_never_cache_headers(response)
        return response

    def response_change(self, request, obj):
        if refused := getattr(obj, "_refused", None):
            self.message_user(request, f"Nothing was saved: {refused}", messages.ERROR)
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    def log_change(self, request, obj, message):
        if getattr(obj, "_refused", None):
            return None
        return super().log_change(request, obj, message)

    # --- revoking from the key's own page ----------------------------------------------

    def get_urls(self):
        revoke = path(
            "<path:object_id>/revoke/",
            self.admin_site.admin_view(self.revoke_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_revoke",
        )
        return [revoke, *super().get_urls()]

    def revoke_view(self, request, object_id):
        """GET asks for confirmation (like delete), POST revokes and goes back to the key."""
        key = get_object_or_404(self.get_queryset(request), pk=object_id) if object_id.isdigit() else None
        if key is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, key):
            raise PermissionDenied
        change_url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[key.pk])
        if request.method == "POST":
            self._revoke(request, key)
            self.message_user(request, f"Revoked {key.masked}.", messages.SUCCESS)
            return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": "Revoke this API key?",
            "subtitle": None,
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "original": key,
            "change_url": change_url,
        }
        return TemplateResponse(request, self.revoke_template, context)

    def _revoke(self, request, key: ApiKey) -> bool:
        if key.revoked_at is not None:
            return False
        api_key_revoke(key=key, revoked_by=request.user, ip=client_ip(request))
        if key.revoked_by_id != request.user.pk:
            return False  # someone else revoked it first
        self.log_change(request, key, "Revoked.")
        return True

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["can_revoke"] = obj is not None and self.has_change_permission(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    # --- searching ---------------------------------------------------------------------

    def get_search_results(self, request, queryset, search_term):
        filtered = queryset  # already narrowed by the list filters; keep them
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # The masked key as shown in the list (``sk_live_<key id>…``) finds its key too.
        term = search_term.strip().rstrip("…")
        for prefix in keys.PREFIXES:
            if term.startswith(prefix) and len(term) > len(prefix):
                key_id = term[len(prefix) : len(prefix) + keys.KEY_ID_LENGTH]
                queryset |= filtered.filter(prefix=prefix, key_id=key_id)
                break
        return queryset, may_have_duplicates

    # --- columns and read-only fields ----------------------------------------------------

    @admin.display(description="key")
    def masked_key(self, obj: ApiKey) -> str:
        return obj.masked

    @admin.display(
        description=lazy(lambda: f"requests (may lag {settings.APIKEY_USAGE_FLUSH_SECONDS} s)", str)(),
        ordering="usage_count",
    )
    def usage(self, obj: ApiKey) -> int:
        return obj.usage_count

    @admin.display(description="scopes")
    def scope_list(self, obj: ApiKey) -> str:
        if not obj.scopes:
            return "—"
        shown = ", ".join(obj.scopes[:SCOPES_SHOWN_IN_LIST])
        rest = len(obj.scopes) - SCOPES_SHOWN_IN_LIST
        return f"{shown} +{rest} more" if rest > 0 else shown

    @admin.display(description="status")
    def status_display(self, obj: ApiKey) -> str:
        return ApiKey.Status(obj.status).label

    @admin.display(description=f"daily usage (most recent {DAILY_USAGE_ROWS} days × IPs)")
    def daily_usage_table(self, obj: ApiKey) -> str:
        rows = list(
            ApiKeyDailyUsage.objects.filter(api_key=obj)
            .order_by("-date", "-count")
            .values_list("date", "ip", "count")[:DAILY_USAGE_ROWS]
        )
        if not rows:
            return "No requests recorded yet."
        return format_html(
            "<table><thead><tr><th>Date</th><th>IP</th><th>Requests</th></tr></thead><tbody>{}</tbody></table>",
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )

    # --- actions -------------------------------------------------------------------------

    @admin.action(description="Revoke selected API keys (for good)", permissions=["change"])
    def revoke(self, request, queryset):
        count = sum(self._revoke(request, key) for key in queryset.filter(revoked_at__isnull=True))
        self.message_user(request, ngettext("Revoked %d key.", "Revoked %d keys.", count) % count, messages.SUCCESS)

    @admin.action(description="Deactivate selected API keys", permissions=["change"])
    def deactivate(self, request, queryset):
        self._set_active(request, queryset, active=False)

    @admin.action(description="Activate selected API keys", permissions=["change"])
    def activate(self, request, queryset):
        self._set_active(request, queryset, active=True)

    def _set_active(self, request, queryset, *, active: bool) -> None:
        count = 0
        # A revoked key stays as it is: (de)activating it would change nothing and log noise.
        for key in queryset.filter(is_active=not active, revoked_at__isnull=True):
            api_key_set_active(key=key, active=active, by=request.user, ip=client_ip(request))
            self.log_change(request, key, "Activated." if active else "Deactivated.")
            count += 1
        verb = "Activated" if active else "Deactivated"
        self.message_user(request, f"{verb} {count} key{'s' if count != 1 else ''}.", messages.SUCCESS)


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "is_active")
    list_filter = ("is_active",)
    search_fields = ("slug", "name")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    """A list to look at, nothing more: records are written by the API and purged by a task.

    There is no detail page: the stored response bodies hold partners' data.
    """

    list_display = ("api_key", "key", "state", "status_code", "created_at")
    list_display_links = None
    list_filter = ("state",)
    list_select_related = ("api_key",)
    search_fields = ("key", "api_key__key_id", "api_key__name")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return obj is None and super().has_view_permission(request)
