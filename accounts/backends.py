"""Login for the admin (and any session login): Django's ``ModelBackend`` over live users only.

Sandbox users (``User.is_sandbox``) may share an address with a live user and never log in;
``UserManager.get_by_natural_key`` already reads live users, and this refuses a sandbox user
however it was found.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend


class LiveUserBackend(ModelBackend):
    def user_can_authenticate(self, user) -> bool:
        return not getattr(user, "is_sandbox", False) and super().user_can_authenticate(user)
