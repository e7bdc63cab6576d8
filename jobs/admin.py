from django.contrib import admin

from jobs.models import City, Space


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "is_confirmed")
    list_filter = ("is_confirmed",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Space)
class SpaceAdmin(admin.ModelAdmin):
    list_display = ("name", "city", "subdomain", "is_confirmed")
    list_filter = ("is_confirmed", "city")
    list_select_related = ("city",)
    search_fields = ("name", "slug", "subdomain")
    prepopulated_fields = {"slug": ("name",)}
