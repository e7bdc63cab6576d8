"""Coworking resource bookings by the hour, Cobot-compatible (``shared/spec/cobot-bookings-api.txt``).

A space's resources and memberships are ``jobs.Resource`` / ``jobs.Membership``; this
package holds the bookings of those resources and everything about them: the models
(imported by ``bookings/models.py``), the reads (``querysets.py``, ``selectors.py``), the
rules and writes (``services.py``), Cobot's time formats (``times.py``), the booking
webhooks (``webhooks.py``, ``tasks.py``), the API (``api/``), the admin, demo data and the
bench pieces.
"""
