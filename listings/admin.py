"""Staff screens for listings: listings with their room types, fees, photos and FAQ, their
sync source (feed, API push, staff), last import, content hash and the staff edits the
last import overwrote; room types with their rooms and a 90-night inventory page; the
feed's catalogues (amenities, community types and events); grants of listings to partner
accounts, and (read only) the provider accounts hosts linked through the Integrations API;
pulled host feeds with their runs ("run now"), rooms' calendar syncs, bookings a host
calendar collided with, and the scheduler's ledger.

Saving a listing or any of its inlines marks it ``sync_source = staff``: the next import
applies in full and names the fields it overwrote (``listings/feed/sync.py``)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin
from django.db import models
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from listings import inventory, limits
from listings.models import (
    Amenity,
    BookingConflict,
    CommunityEvent,
    CommunityType,
    FaqEntry,
    FeedRun,
    HostFeed,
    Listing,
    ListingFee,
    ListingGrant,
    Photo,
    ProviderAccountLink,
    Room,
    RoomCalendar,
    RoomType,
    RoomTypeNight,
    ScheduledRun,
)

INVENTORY_NIGHTS = 90
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


class RoomTypeInline(admin.TabularInline):
    model = RoomType
    formfield_overrides = HTTPS_URLS
    extra = 0
    fields = (
        "original_id",
        "name",
        "room_type",
        "amount",
        "max_occupancy",
        "currency",
        "base_price",
        "is_active",
        "inventory_link",
    )
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
    fields = ("position", "name", "description", "type", "frequency", "amount", "mandatory")


class PhotoInline(admin.TabularInline):
    model = Photo
    formfield_overrides = HTTPS_URLS
    extra = 0
    fields = ("kind", "room_type", "position", "url", "description")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:  # only this listing's room types in the drop-down
            formset.form.base_fields["room_type"].queryset = RoomType.objects.filter(listing=obj)
        return formset


class FaqEntryInline(admin.TabularInline):
    model = FaqEntry
    extra = 0
    fields = ("position", "question", "answer")


class ListingGrantInline(admin.TabularInline):
    model = ListingGrant
    fk_name = "listing"
    extra = 0
    fields = ("grantee", "granted_by", "created_at")
    readonly_fields = ("granted_by", "created_at")
    autocomplete_fields = ("grantee",)


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "name",
        "host",
        "city",
        "country",
        "status",
        "room_type_count",
        "sync_source",
        "last_imported_at",
        "updated_at",
    )
    list_filter = ("status", "sync_source", "country")
    list_select_related = ("host",)
    search_fields = ("name", "city", "original_id", "host__email")
    autocomplete_fields = ("host",)
    filter_horizontal = ("amenities", "community_types", "community_events")
    readonly_fields = (
        "created_at",
        "updated_at",
        "sync_source",
        "last_imported_at",
        "content_hash",
        "overwritten_fields",
        "host_feed",
        "calendar_token",
    )
    inlines = (RoomTypeInline, ListingFeeInline, PhotoInline, FaqEntryInline, ListingGrantInline)
    formfield_overrides = HTTPS_URLS
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "host",
                    "name",
                    "status",
                    ("property_size", "property_size_unit"),
                    "parking",
                    ("internet_download", "internet_upload"),
                    ("bedrooms", "bathrooms", "residents"),
                    "amenities",
                )
            },
        ),
        ("Descriptions", {"fields": ("description", "neighborhood_description", "community_description")}),
        (
            "Location",
            {"fields": ("address", ("zip", "neighborhood"), ("city", "state"), "country", ("lat", "lng"))},
        ),
        ("Host's system", {"fields": ("original_id", "original_url")}),
        (
            "Prices and booking rules",
            {
                "fields": (
                    "currency",
                    ("security_deposit_type", "security_deposit"),
                    "deposit",
                    ("stay_min", "notice_min_days", "move_in_max_days"),
                    "application_url",
                    "cancellation_policy",
                    "booking_rules",
                )
            },
        ),
        (
            "Community",
            {
                "fields": (
                    ("age_min", "age_avg", "age_max"),
                    ("community_gender", "gender_ratio"),
                    "community_types",
                    "community_events",
                    ("community_manager_name", "community_manager_onsite"),
                    "community_manager_photo",
                )
            },
        ),
        ("Media", {"fields": ("tour_3d_url", ("video_tour_type", "video_tour_url"))}),
        (
            "Check-in",
            {
                "fields": (
                    ("check_in_earliest", "check_in_latest", "check_out_latest"),
                    "check_in_contact_person",
                    ("check_in_telephone_country", "check_in_telephone_number"),
                    "check_in_instructions",
                    "directions",
                    "house_manual",
                    "google_places_id",
                )
            },
        ),
        (
            "Sync",
            {
                "fields": (
                    "sync_source",
                    "last_imported_at",
                    "content_hash",
                    "overwritten_fields",
                    "host_feed",
                    "calendar_token",
                ),
                "description": "Where the current version came from. A staff edit here is overwritten by the "
                "host's next import, which lists the fields it replaced under 'overwritten fields'.",
            },
        ),
        ("History", {"fields": ("created_at", "updated_at")}),
    )

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(_room_type_count=Count("room_types"))

    @admin.display(description="Room types", ordering="_room_type_count")
    def room_type_count(self, obj: Listing) -> int:
        return obj._room_type_count

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        edited = form.has_changed() or any(formset.has_changed() for formset in formsets)
        if change and edited:
            Listing.objects.filter(pk=form.instance.pk).update(sync_source=Listing.SyncSource.STAFF)

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


class RoomInline(admin.TabularInline):
    model = Room
    formfield_overrides = HTTPS_URLS
    extra = 0
    fields = ("position", "original_id", "name", "description", "ical_url", "is_active")


@admin.register(RoomType)
class RoomTypeAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "name",
        "listing",
        "room_type",
        "amount",
        "currency",
        "base_price",
        "is_active",
        "inventory_link",
    )
    list_filter = ("room_type", "is_active", "currency")
    list_select_related = ("listing",)
    search_fields = ("name", "original_id", "listing__name", "listing__host__email")
    autocomplete_fields = ("listing",)
    filter_horizontal = ("amenities",)
    readonly_fields = ("created_at", "updated_at", "inventory_link")
    inlines = (RoomInline,)
    formfield_overrides = HTTPS_URLS
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "listing",
                    ("original_id", "position", "is_active"),
                    "name",
                    "room_type",
                    "bed_type",
                    ("room_size", "room_size_unit"),
                    ("gender", "bathroom_type"),
                    "available_at",
                    "application_url",
                    "amenities",
                    "amount",
                    "max_occupancy",
                    "inventory_link",
                )
            },
        ),
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


@admin.register(Amenity)
class AmenityAdmin(admin.ModelAdmin):
    """The amenities feeds name by id (``/json/import/amenities``)."""

    list_display = ("id", "name", "scope")
    list_filter = ("scope",)
    search_fields = ("name",)


@admin.register(CommunityType)
class CommunityTypeAdmin(admin.ModelAdmin):
    list_display = ("id", "name")
    search_fields = ("name",)


@admin.register(CommunityEvent)
class CommunityEventAdmin(admin.ModelAdmin):
    list_display = ("id", "name")
    search_fields = ("name",)


# --- pulled feeds -----------------------------------------------------------------------------

RUN_COUNTS = ("listings", "created", "updated", "unchanged", "failed", "delisted", "relisted")


class FeedRunInline(admin.TabularInline):
    model = FeedRun
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    fields = ("created_at", "trigger", "status", *RUN_COUNTS, "error")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("-created_at", "-id")


@admin.register(HostFeed)
class HostFeedAdmin(admin.ModelAdmin):
    """A host's JSON feed, pulled every ``interval_minutes``; "run now" queues a run at once."""

    list_display = ("id", "url", "host", "is_active", "interval_minutes", "next_run_at", "last_run")
    list_filter = ("is_active",)
    list_select_related = ("host",)
    search_fields = ("url", "host__email")
    autocomplete_fields = ("host",)
    formfield_overrides = HTTPS_URLS
    fields = ("host", "url", "is_active", "interval_minutes", "next_run_at", "etag", "last_modified")
    readonly_fields = ("etag", "last_modified")
    inlines = (FeedRunInline,)
    actions = ("run_now",)

    @admin.display(description="Last run")
    def last_run(self, obj: HostFeed) -> str:
        run = obj.runs.order_by("-created_at", "-id").first()
        return "—" if run is None else f"{run.get_status_display()} ({run.created_at:%Y-%m-%d %H:%M})"

    def save_model(self, request, obj, form, change):
        if change and "url" in form.changed_data:
            obj.etag = obj.last_modified = ""  # the validators belonged to the old URL
        super().save_model(request, obj, form, change)

    @admin.action(description="Run now")
    def run_now(self, request, queryset):
        from listings.feed.pull import feed_run_request

        feeds = list(queryset)
        for feed in feeds:
            feed_run_request(feed=feed)
        self.message_user(request, f"{len(feeds)} feed run(s) queued.")


@admin.register(FeedRun)
class FeedRunAdmin(admin.ModelAdmin):
    """Every pull, read only: what the fetch answered, the counts, each listing's errors."""

    list_display = ("id", "feed", "trigger", "status", "created_at", "finished_at", *RUN_COUNTS)
    list_filter = ("status", "trigger")
    list_select_related = ("feed",)
    search_fields = ("feed__url", "feed__host__email")
    fields = (
        "feed",
        "trigger",
        "status",
        ("created_at", "started_at", "finished_at"),
        "bytes",
        RUN_COUNTS,
        "error",
        "listing_errors",
    )
    readonly_fields = ("feed", "trigger", "status", "created_at", "started_at", "finished_at", "bytes", *RUN_COUNTS)
    readonly_fields += ("error", "listing_errors")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


# --- iCal -------------------------------------------------------------------------------------


@admin.register(RoomCalendar)
class RoomCalendarAdmin(admin.ModelAdmin):
    """Each room's calendar sync: when it was fetched, what it blocked, the last error."""

    list_display = ("room", "url", "fetched_at", "next_fetch_at", "events", "blocked_nights", "error")
    list_select_related = ("room",)
    search_fields = ("room__name", "url")
    readonly_fields = ("room", "url", "fetched_at", "etag", "last_modified", "events", "blocked_nights", "error")
    fields = ("room", "url", "next_fetch_at", *readonly_fields[2:])
    actions = ("sync_now",)

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Fetch now")
    def sync_now(self, request, queryset):
        from listings.tasks import room_calendar_sync

        rooms = list(queryset.values_list("room_id", flat=True))
        for room_id in rooms:
            room_calendar_sync.enqueue(room_id)
        self.message_user(request, f"{len(rooms)} calendar fetch(es) queued.")


@admin.register(BookingConflict)
class BookingConflictAdmin(admin.ModelAdmin):
    """Bookings whose nights a host calendar blocked afterwards: staff decide (move, refund…)."""

    list_display = ("booking", "room_type", "night_count", "source_url", "detected_at", "resolved_at")
    list_filter = (("resolved_at", admin.EmptyFieldListFilter),)
    list_select_related = ("booking", "room_type")
    search_fields = ("booking__id", "room_type__name", "source_url")
    fields = ("booking", "room_type", "nights", "source_url", "detected_at", "resolved_at", "note")
    readonly_fields = ("booking", "room_type", "nights", "source_url", "detected_at")
    actions = ("mark_resolved",)

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description="Nights")
    def night_count(self, obj: BookingConflict) -> int:
        return len(obj.nights)

    @admin.action(description="Mark resolved")
    def mark_resolved(self, request, queryset):
        from django.utils import timezone

        count = queryset.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())
        self.message_user(request, f"{count} conflict(s) marked resolved.")


@admin.register(ScheduledRun)
class ScheduledRunAdmin(admin.ModelAdmin):
    """The scheduler's ledger: one row per job and slot it enqueued (read only)."""

    list_display = ("job", "slot", "enqueued_at", "task_id")
    list_filter = ("job",)
    fields = list_display
    readonly_fields = list_display

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
