"""Staff screens for listings: listings with their room types and fees, room types with a
90-night inventory page, grants of listings to partner accounts, and (read only) the
provider accounts hosts linked through the Integrations API."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin
from django.db import models
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from listings import inventory, limits
from listings.models import Listing, ListingFee, ListingGrant, ProviderAccountLink, RoomType, RoomTypeNight

INVENTORY_NIGHTS = 90


class RoomTypeInline(admin.TabularInline):
    model = RoomType
    extra = 0
    fields = ("name", "room_type", "amount", "max_occupancy", "currency", "base_price", "inventory_link")
    readonly_fields = ("inventory_link",)
    show_change_link = True

    @admin.display(description="Inventory")
    def inventory_link(self, obj: RoomType) -> str:
        if obj.pk is None:
            return "—"
        url = reverse("admin:listings_roomtype_inventory", args=[obj.pk])
        return format_html('<a href="{}">next {} nights</a>', url, INVENTORY_NIGHTS)


class ListingFeeInline(admin.TabularInline):
    model = ListingFee
    extra = 0
    fields = ("name", "type", "frequency", "amount", "mandatory")


class ListingGrantInline(admin.TabularInline):
    model = ListingGrant
    fk_name = "listing"
    extra = 0
    fields = ("grantee", "granted_by", "created_at")
    readonly_fields = ("granted_by", "created_at")
    autocomplete_fields = ("grantee",)


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "host", "city", "country", "status", "room_type_count", "updated_at")
    list_filter = ("status", "country")
    list_select_related = ("host",)
    search_fields = ("name", "city", "original_id", "host__email")
    autocomplete_fields = ("host",)
    readonly_fields = ("created_at", "updated_at")
    inlines = (RoomTypeInline, ListingFeeInline, ListingGrantInline)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = (
        (None, {"fields": ("host", "name", "status", "description")}),
        ("Location", {"fields": ("address", "city", "country")}),
        ("Host's system", {"fields": ("original_id", "original_url")}),
        ("Booking rules", {"fields": ("stay_min", "notice_min_days", "move_in_max_days", "deposit")}),
        ("History", {"fields": ("created_at", "updated_at")}),
    )

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(_room_type_count=Count("room_types"))

    @admin.display(description="Room types", ordering="_room_type_count")
    def room_type_count(self, obj: Listing) -> int:
        return obj._room_type_count

    def save_formset(self, request, form, formset, change):
        # New grants made from the listing page are recorded as granted by this staff member;
        # a room type's new amount moves its stored nights (through the service).
        new_amounts = {
            f.instance.pk: f.cleaned_data["amount"]
            for f in formset.forms
            if isinstance(f.instance, RoomType) and f.instance.pk and "amount" in f.changed_data
        }
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, ListingGrant) and instance.pk is None:
                instance.granted_by = request.user
            if isinstance(instance, RoomType) and instance.pk in new_amounts:
                instance.amount = RoomType.objects.values_list("amount", flat=True).get(pk=instance.pk)
                instance.save()
                inventory.room_type_amount_change(room_type=instance, amount=new_amounts[instance.pk])
                continue
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


@admin.register(RoomType)
class RoomTypeAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "listing", "room_type", "amount", "currency", "base_price", "inventory_link")
    list_filter = ("room_type", "currency")
    list_select_related = ("listing",)
    search_fields = ("name", "listing__name", "listing__host__email")
    autocomplete_fields = ("listing",)
    readonly_fields = ("created_at", "updated_at", "inventory_link")
    fieldsets = (
        (None, {"fields": ("listing", "name", "room_type", "amount", "max_occupancy", "inventory_link")}),
        (
            "Prices (per month)",
            {
                "fields": (
                    "currency",
                    "base_price",
                    ("price_jan", "price_feb", "price_mar", "price_apr"),
                    ("price_may", "price_jun", "price_jul", "price_aug"),
                    ("price_sep", "price_oct", "price_nov", "price_dec"),
                )
            },
        ),
        ("Long-stay discounts (%)", {"fields": ("discount_90", "discount_180", "discount_360")}),
        ("History", {"fields": ("created_at", "updated_at")}),
    )

    @admin.display(description="Inventory")
    def inventory_link(self, obj: RoomType) -> str:
        if obj.pk is None:
            return "—"
        url = reverse("admin:listings_roomtype_inventory", args=[obj.pk])
        return format_html('<a href="{}">next {} nights</a>', url, INVENTORY_NIGHTS)

    def get_urls(self):
        inventory = path(
            "<int:object_id>/inventory/",
            self.admin_site.admin_view(self.inventory_view),
            name="listings_roomtype_inventory",
        )
        return [inventory, *super().get_urls()]

    def inventory_view(self, request, object_id: int):
        """The next 90 nights: units available and units taken (amount − available).

        "Taken" counts every unit not available, whether a booking made here took it or the
        PMS pushed a lower figure; a night nobody pushed has the full amount.
        """
        room_type = RoomType.objects.select_related("listing").filter(pk=object_id).first()
        if room_type is None:
            raise Http404("No such room type")
        if not self.has_view_or_change_permission(request, room_type):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        first = limits.today()
        last = first + timedelta(days=INVENTORY_NIGHTS - 1)
        rows = RoomTypeNight.objects.filter(room_type=room_type, date__range=(first, last))
        pushed = dict(rows.values_list("date", "available"))
        nights = []
        for offset in range(INVENTORY_NIGHTS):
            day = first + timedelta(days=offset)
            available = pushed.get(day, room_type.amount)
            nights.append(
                {
                    "date": day,
                    "available": available,
                    "taken": room_type.amount - available,
                    "has_row": day in pushed,
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Inventory: {room_type}",
            "opts": self.model._meta,
            "original": room_type,
            "room_type": room_type,
            "nights": nights,
            "first": first,
            "last": last,
        }
        return TemplateResponse(request, "admin/listings/roomtype/inventory.html", context)

    def save_model(self, request, obj, form, change):
        if change and "amount" in form.changed_data:
            new_amount = obj.amount
            obj.amount = form.initial["amount"]
            super().save_model(request, obj, form, change)
            inventory.room_type_amount_change(room_type=obj, amount=new_amount)
        else:
            super().save_model(request, obj, form, change)


@admin.register(ListingGrant)
class ListingGrantAdmin(admin.ModelAdmin):
    list_display = ("listing", "grantee", "granted_by", "created_at")
    list_select_related = ("listing", "grantee", "granted_by")
    search_fields = ("listing__name", "grantee__email")
    autocomplete_fields = ("listing", "grantee")
    readonly_fields = ("granted_by", "created_at")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ProviderAccountLink)
class ProviderAccountLinkAdmin(admin.ModelAdmin):
    """Read only: links are made by hosts through the API; staff may look and delete."""

    list_display = ("owner", "provider", "masked_key", "updated_at")
    list_filter = ("provider",)
    list_select_related = ("owner", "provider")
    search_fields = ("owner__email",)
    fields = ("owner", "provider", "masked_key", "api_key", "created_at", "updated_at")
    readonly_fields = fields

    @admin.display(description="Provider key")
    def masked_key(self, obj: ProviderAccountLink) -> str:
        return f"····{obj.key_last4}" if obj.key_last4 else "···· (short key, not shown)"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
