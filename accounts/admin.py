"""Admin for users (with their profile, origin and meta attributes) and the user-event outbox."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from accounts import events, tracking
from accounts.models import OutboxEvent, User, UserMetaAttribute


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class UserMetaAttributeInline(admin.TabularInline):
    model = UserMetaAttribute
    extra = 0
    fields = ("key", "value", "created_at", "updated_at")
    readonly_fields = ("created_at", "updated_at")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    inlines = [UserMetaAttributeInline]
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "country", "is_staff", "is_active", "created_by", "date_joined")
    list_filter = ("is_staff", "is_superuser", "is_active", "gender")
    list_select_related = ("created_by",)
    search_fields = ("email", "first_name", "last_name", "phone")
    readonly_fields = ("country_name", "created_by", "created_by_api_key")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "phone", "date_of_birth", "gender")}),
        ("Location and language", {"fields": (("country", "country_name"), "city", "timezone", "language")}),
        ("Origin", {"fields": ("created_by", "created_by_api_key")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "usable_password", "password1", "password2")}),)

    @admin.display(description="country name")
    def country_name(self, obj: User) -> str:
        return obj.country_name or "-"


class DeliveredFilter(admin.SimpleListFilter):
    title = "delivery"
    parameter_name = "delivered"

    def lookups(self, request, model_admin):
        return (("yes", "Delivered"), ("no", "Undelivered"))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(delivered_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(delivered_at__isnull=True)
        return queryset


@admin.register(OutboxEvent)
class OutboxEventAdmin(admin.ModelAdmin):
    """Read-only: events are written by services and delivered by the worker; staff can only retry."""

    list_display = ("id", "name", "created_at", "delivered", "attempts", "next_attempt_at", "short_error")
    list_filter = (DeliveredFilter, "name")
    search_fields = ("uuid", "name", "last_error")
    date_hierarchy = "created_at"
    actions = ["retry_delivery"]
    fields = ("uuid", "name", "payload", "created_at", "delivered_at", "attempts", "next_attempt_at", "last_error")
    readonly_fields = fields

    @admin.display(boolean=True, ordering="delivered_at")
    def delivered(self, obj: OutboxEvent) -> bool:
        return obj.is_delivered

    @admin.display(description="last error")
    def short_error(self, obj: OutboxEvent) -> str:
        return obj.last_error[:80]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_retry_permission(self, request) -> bool:
        return request.user.has_perm("accounts.change_outboxevent")

    @admin.action(description="Retry delivery", permissions=["retry"])
    def retry_delivery(self, request, queryset):
        if not tracking.tracking_url():
            self.message_user(request, "Tracking is off (TRACKING_URL is not set): nothing sent.", messages.WARNING)
            return
        count = events.outbox_events_retry(events=queryset)
        self.message_user(request, f"Delivery of {count} undelivered event(s) queued.", messages.SUCCESS)
