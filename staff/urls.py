"""Second-factor pages, mounted under /admin/2fa/ (before the admin's own URLs).

Only the two_factor views staff need: enrolment (setup, its QR code, completion), backup
codes and the account-security page. Its own login view is left out: the admin's login
is the one door, and django-axes throttles it.
"""

from django.urls import include, path
from two_factor.views import (
    BackupTokensView,
    DisableView,
    ProfileView,
    QRGeneratorView,
    SetupCompleteView,
    SetupView,
)

from staff.views import VerifyView

two_factor_patterns = [
    path("setup/", SetupView.as_view(), name="setup"),
    path("setup/qrcode/", QRGeneratorView.as_view(), name="qr"),
    path("setup/complete/", SetupCompleteView.as_view(), name="setup_complete"),
    path("backup-codes/", BackupTokensView.as_view(), name="backup_tokens"),
    path("", ProfileView.as_view(), name="profile"),
    path("disable/", DisableView.as_view(), name="disable"),
]

# Not namespaced under "staff": two_factor's views and templates reverse "two_factor:…".
urlpatterns = [
    path("verify/", VerifyView.as_view(), name="staff_2fa_verify"),
    path("", include((two_factor_patterns, "two_factor"))),
]
