"""The least-privilege staff groups. Put a staff member in one (or more); superuser is for
the people who run the deployment.

- key issuers: issue, re-scope, revoke, (de)activate API keys and read their usage; look
  up the owners and spaces keys are bound to; read the security log.
- support: read users, bookings and listings; nothing of API keys.
- content editors: the Coworkies directory — jobs, events, blog moderation, feedback.
- operators: everything except setting users' passwords (no user add/change), groups and
  permissions; they read the security log and unlock throttled logins.

The groups are re-created with exactly these permissions when this migration runs again
(a fresh database); later edits in the admin are the operator's own.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

OUR_APPS = ("accounts", "apikeys", "listings", "bookings", "jobs", "staff")


def perms(app: str, action_models: dict[str, tuple[str, ...]]) -> list[tuple[str, str]]:
    return [(app, f"{action}_{model}") for action, models in action_models.items() for model in models]


LISTINGS_MODELS = (
    "amenity communitytype communityevent listing listingfee listinggrant roomtype room photo faqentry "
    "roomtypenight provideraccountlink hostfeed feedrun roomcalendar roomnightblock bookingconflict scheduledrun"
).split()

GROUPS = {
    "key issuers": [
        *perms(
            "apikeys", {"add": ("apikey",), "change": ("apikey",), "view": ("apikey", "apikeydailyusage", "provider")}
        ),
        ("accounts", "view_user"),
        ("jobs", "view_space"),
        ("staff", "view_securityevent"),
    ],
    "support": [
        ("accounts", "view_user"),
        *perms("bookings", {"view": ("booking", "bookingmessage")}),
        *perms("listings", {"view": tuple(LISTINGS_MODELS)}),
    ],
    "content editors": [
        *perms(
            "jobs",
            {
                action: ("job", "event", "blogpost", "blogcategory", "blogtag", "blogauthor", "feedback")
                for action in ("add", "change", "delete", "view")
            },
        ),
        *perms("jobs", {"view": ("city", "space", "plan")}),
    ],
}
# Operators: every permission of our apps and of login throttling, except writing users
# (the add and change forms set passwords) — plus unlocking throttled logins.
OPERATORS_EXCLUDED = {("accounts", "add_user"), ("accounts", "change_user")}


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations ran; these groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def lookup(pairs):
        wanted = set(pairs)
        found = {
            (p.content_type.app_label, p.codename): p
            for p in Permission.objects.select_related("content_type").filter(
                content_type__app_label__in={app for app, _ in wanted}
            )
        }
        missing = wanted - set(found)
        if missing:
            raise RuntimeError(f"Unknown permissions for the staff groups: {sorted(missing)}")
        return [found[pair] for pair in wanted]

    for name, pairs in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(lookup(pairs))
    operators, _ = Group.objects.get_or_create(name="operators")
    operators.permissions.set(
        [
            p
            for p in Permission.objects.select_related("content_type").filter(
                content_type__app_label__in=(*OUR_APPS, "axes")
            )
            if (p.content_type.app_label, p.codename) not in OPERATORS_EXCLUDED
        ]
    )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[*GROUPS, "operators"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0001_security_log"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("accounts", "0004_user_is_sandbox_email_unique_per_sandbox"),
        ("apikeys", "0004_apikey_creation_nonce"),
        ("listings", "0007_listing_providerlink_is_sandbox"),
        ("bookings", "0004_booking_is_sandbox_sandboxdataset"),
        ("jobs", "0006_space_subdomain_dns_label"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
