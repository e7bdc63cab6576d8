"""The admin for API keys, integration providers and idempotency records.

Issuing a key goes through ``api_key_create`` and answers with a one-off page that shows
the full key; nothing else ever shows it. The key is never handed to the messages
framework (its cookie storage would put it in the browser), nor to the session or the
cache: it lives in this request's memory and in that page's body only. Revoking and
(de)activating go through their services. The digest is never displayed.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html, format_html_join
from django.utils.translation import ngettext

from apikeys import keys
from apikeys.forms import ApiKeyChangeForm, ApiKeyCreateForm
from apikeys.models import ApiKey, ApiKeyDailyUsage, IdempotencyRecord, Provider
from apikeys.services import api_key_create, api_key_revoke, api_key_set_active

DAILY_USAGE_ROWS = 60


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

    list_display = ("name", "owner", "masked_key", "scope_list", "status_display", "last_used_at", "usage_count")
    list_filter = (StatusFilter, "prefix", ("owner", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("owner",)
    search_fields = ("name", "owner__email", "key_id")
    autocomplete_fields = ("owner", "space", "provider")
    actions = ("revoke", "deactivate", "activate")

    add_fieldsets = (
        (None, {"fields": ("owner", "name", "scopes")}),
        ("Binding", {"fields": ("prefix", "space", "provider")}),
        ("Limits", {"fields": ("expires_at", "rate_limit_per_minute")}),
    )
    fieldsets = (
        (None, {"fields": ("masked_key", "status_display", "owner", "name", "scopes")}),
        ("Binding", {"fields": ("prefix", "space", "provider")}),
        ("Limits", {"fields": ("is_active", "expires_at", "rate_limit_per_minute")}),
        ("History", {"fields": ("created_by", "created_at", "revoked_at", "revoked_by")}),
        ("Usage", {"fields": ("usage_count", "last_used_at", "last_used_ip", "daily_usage_table")}),
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
        return self.add_fieldsets if obj is None else self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.change_readonly_fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = self.add_form if obj is None else self.form
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            # Only what the form changed: a full save would write back a stale usage count
            # or undo a revocation made meanwhile.
            if form.changed_data:
                obj.save(update_fields=form.changed_data)
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

    @admin.display(description="scopes")
    def scope_list(self, obj: ApiKey) -> str:
        return ", ".join(obj.scopes) or "—"

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
            return "No requests recorded yet (usage is written in batches, about every 30 seconds)."
        return format_html(
            "<table><thead><tr><th>Date</th><th>IP</th><th>Requests</th></tr></thead><tbody>{}</tbody></table>",
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )

    # --- actions -------------------------------------------------------------------------

    @admin.action(description="Revoke selected API keys (for good)", permissions=["change"])
    def revoke(self, request, queryset):
        count = 0
        for key in queryset.filter(revoked_at__isnull=True):
            api_key_revoke(key=key, revoked_by=request.user)
            count += 1
        self.message_user(request, ngettext("Revoked %d key.", "Revoked %d keys.", count) % count, messages.SUCCESS)

    @admin.action(description="Deactivate selected API keys", permissions=["change"])
    def deactivate(self, request, queryset):
        self._set_active(request, queryset, active=False)

    @admin.action(description="Activate selected API keys", permissions=["change"])
    def activate(self, request, queryset):
        self._set_active(request, queryset, active=True)

    def _set_active(self, request, queryset, *, active: bool) -> None:
        count = 0
        for key in queryset.filter(is_active=not active):
            api_key_set_active(key=key, active=active)
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
