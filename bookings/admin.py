"""Staff views of stay bookings. Status changes go through the services, so declining or
cancelling gives the nights back exactly as the API does; bookings are never added or
edited by hand here (that would bypass the inventory)."""

from __future__ import annotations

from django.contrib import admin, messages

from bookings import services
from bookings.models import Booking, BookingMessage, SandboxDataSet
from bookings.resources import admin as resources_admin  # noqa: F401  (resource bookings, webhooks)
from bookings.sandbox import sandbox_reset
from coliving.api.errors import ApplicationError


class BookingMessageInline(admin.TabularInline):
    model = BookingMessage
    fields = ("created_at", "sender", "body")
    readonly_fields = ("created_at", "sender")
    extra = 1

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = (
        "reference",
        "status",
        "listing",
        "room_type",
        "guest",
        "checkin",
        "checkout",
        "guests",
        "total",
        "currency",
        "source",
        "created_at",
    )
    list_filter = ("status", "source", "is_sandbox", ("checkin", admin.DateFieldListFilter), "checkout", "listing")
    search_fields = ("reference", "guest__email")
    list_select_related = ("listing", "room_type", "guest")
    date_hierarchy = "checkin"
    ordering = ("-id",)
    inlines = [BookingMessageInline]
    actions = ["confirm", "decline", "cancel"]
    readonly_fields = (
        "reference",
        "status",
        "guest",
        "listing",
        "room_type",
        "checkin",
        "checkout",
        "guests",
        "message",
        "source",
        "api_key",
        "provider",
        "currency",
        "total",
        "price_breakdown",
        "version",
        "created_at",
        "updated_at",
    )
    fields = readonly_fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # cancel instead: deleting would keep the nights taken

    def save_model(self, request, obj, form, change) -> None:
        # Every field is read-only: saving the row would only write back stale values over a
        # concurrent API change without a new version. Only the inline messages are saved.
        pass

    def save_formset(self, request, form, formset, change):
        for message in formset.save(commit=False):
            if message.pk is None:
                message.sender = request.user
            message.save()
        formset.save_m2m()

    def _apply(self, request, queryset, service, done: str) -> None:
        changed = 0
        for booking in queryset:
            try:
                service(booking=booking)  # its own transaction per booking
            except ApplicationError as exc:
                self.message_user(request, f"{booking}: {exc}", messages.WARNING)
            else:
                changed += 1
        if changed:
            self.message_user(request, f"{changed} booking(s) {done}.", messages.SUCCESS)

    @admin.action(description="Confirm selected pending bookings", permissions=["change"])
    def confirm(self, request, queryset):
        self._apply(request, queryset, services.booking_confirm, "confirmed")

    @admin.action(description="Decline selected pending bookings (gives the nights back)", permissions=["change"])
    def decline(self, request, queryset):
        self._apply(request, queryset, services.booking_decline, "declined")

    @admin.action(description="Cancel selected bookings (gives the nights back)", permissions=["change"])
    def cancel(self, request, queryset):
        self._apply(request, queryset, services.booking_cancel, "cancelled")


@admin.register(SandboxDataSet)
class SandboxDataSetAdmin(admin.ModelAdmin):
    """Owners' sandbox data sets (``bookings/sandbox.py``): seeded by the owner's first
    ``/v2/sandbox/…`` request; staff reset one here (delete its rows and seed again)."""

    list_display = ("owner", "source", "seeded_at")
    list_filter = ("source",)
    search_fields = ("owner__email",)
    list_select_related = ("owner",)
    readonly_fields = ("owner", "source", "seeded_at")
    fields = readonly_fields
    actions = ["reset"]

    def has_add_permission(self, request) -> bool:
        return False  # seeded on first use

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # reset instead: deleting the row would leave its sandbox rows behind

    @admin.action(description="Reset selected sandboxes (delete their data and seed again)", permissions=["change"])
    def reset(self, request, queryset):
        for data_set in queryset:
            sandbox_reset(data_set=data_set)  # its own transaction per owner
            self.log_change(request, data_set, "Reset the sandbox: its data was deleted and seeded again.")
        self.message_user(request, f"{len(queryset)} sandbox(es) reset.", messages.SUCCESS)
