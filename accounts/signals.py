"""Signals the accounts app sends.

``user_created`` is sent by ``accounts.services.user_create`` inside the transaction that
creates the user, with ``user``, ``created_by``, ``api_key`` and ``source``. Receivers run
in that transaction: an exception rolls the user back, and anything that talks to the
outside world belongs in ``transaction.on_commit`` (tracking goes through the outbox, see
``accounts/events.py``).
"""

from django.dispatch import Signal

user_created = Signal()
