"""Staff screens of resource bookings and their webhooks (registered by ``bookings/admin.py``).

Bookings are read here, marked invoiced and deleted; every write goes through
``services.py`` (deleting one sends its ``deleted_booking`` webhook; a booking made by an
event is left to its event). They are made through the API, where the rules live, so
staff never bypass the capacity check. Webhook subscriptions are managed per space; their
deliveries can be sent again.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages

from bookings.resources import services, webhooks
from bookings.resources.models import ResourceBooking, WebhookDelivery, WebhookEvent, WebhookSubscription
from coliving.api.errors import ApplicationError


class InvoicedFilter(admin.SimpleListFilter):
    title = "invoiced"
    parameter_name = "invoiced"

    def lookups(self, request, model_admin):
        return (("yes", "Invoiced"), ("no", "Not invoiced"))

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(invoiced_at__isnull=self.value() == "no")
        return queryset


@admin.register(ResourceBooking)
class ResourceBookingAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "resource",
        "space",
        "membership",
        "start",
        "end",
        "units",
        "price",
        "currency",
        "has_custom_price",
        "event",
        "invoiced_at",
    )
    list_filter = (
        ("resource__space", admin.RelatedOnlyFieldListFilter),
        ("resource", admin.RelatedOnlyFieldListFilter),
        ("membership", admin.RelatedOnlyFieldListFilter),
        ("start", admin.DateFieldListFilter),
        InvoicedFilter,
    )
    search_fields = ("title", "comments", "membership__name", "membership__user__email", "resource__name")
    list_select_related = ("resource__space", "membership", "event")
    date_hierarchy = "start"
    ordering = ("-start", "-id")
    actions = ["mark_invoiced", "delete_bookings"]
    readonly_fields = [field.name for field in ResourceBooking._meta.fields]

    @admin.display(ordering="resource__space__name")
    def space(self, booking: ResourceBooking):
        return booking.resource.space

    def has_add_permission(self, request) -> bool:
        return False  # made through the API, where the booking rules and the capacity check live

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # through the "delete_bookings" action: the service sends the webhooks

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm("bookings.delete_resourcebooking"):
            actions.pop("delete_bookings", None)
        return actions

    @admin.action(description="Mark the selected bookings invoiced", permissions=["change"])
    def mark_invoiced(self, request, queryset):
        count = services.resource_bookings_mark_invoiced(bookings=queryset)
        self.message_user(request, f"{count} bookings marked invoiced.", messages.SUCCESS)

    @admin.action(description="Delete the selected bookings (sends deleted_booking webhooks)")
    def delete_bookings(self, request, queryset):
        deleted, refused = 0, []
        for booking in queryset.select_related("resource"):
            try:
                services.resource_booking_delete(actor=None, booking=booking)
                deleted += 1
            except ApplicationError as exc:
                refused.append(f"#{booking.pk}: {exc.message}")
        if deleted:
            self.message_user(request, f"{deleted} bookings deleted.", messages.SUCCESS)
        if refused:
            self.message_user(request, "Not deleted: " + "; ".join(refused), messages.WARNING)


class WebhookSubscriptionForm(forms.ModelForm):
    url = forms.URLField(max_length=1000, assume_scheme="https", help_text="Where the events are POSTed.")
    events = forms.MultipleChoiceField(
        choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple, help_text="The events sent to this URL."
    )

    class Meta:
        model = WebhookSubscription
        fields = ("space", "url", "events", "secret", "is_active")


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    form = WebhookSubscriptionForm
    list_display = ("space", "url", "events", "is_active", "deactivated_at", "created_at")
    list_filter = ("is_active", "space")
    list_select_related = ("space",)
    search_fields = ("url", "space__name", "space__subdomain")
    autocomplete_fields = ("space",)
    readonly_fields = ("deactivated_at", "deactivation_reason", "created_at")

    def save_model(self, request, obj, form, change):
        if obj.is_active:  # switched on again by staff
            obj.deactivated_at, obj.deactivation_reason = None, ""
        super().save_model(request, obj, form, change)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("uuid", "event", "subscription", "created_at", "delivered_at", "attempts", "last_status")
    list_filter = ("event", ("delivered_at", admin.EmptyFieldListFilter), "subscription__space")
    list_select_related = ("subscription__space",)
    search_fields = ("uuid", "last_error", "subscription__url")
    readonly_fields = [field.name for field in WebhookDelivery._meta.fields]
    actions = ["retry"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Send the selected undelivered deliveries again", permissions=["change"])
    def retry(self, request, queryset):
        count = webhooks.webhook_deliveries_retry(deliveries=queryset)
        self.message_user(request, f"{count} deliveries queued.", messages.SUCCESS)
