"""``coliving.api.timestamps``: the family's one timestamp format."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from coliving.api.timestamps import TimestampField, iso_ms, iso_seconds

PARIS_SUMMER = timezone(timedelta(hours=2))


def test_it_writes_utc_whole_seconds_with_z():
    assert iso_seconds(datetime(2024, 1, 1, 10, 0, 0, 999999, tzinfo=PARIS_SUMMER)) == "2024-01-01T08:00:00Z"


def test_milliseconds_only_where_asked():
    assert iso_ms(datetime(2024, 1, 1, 8, 0, 0, 123456, tzinfo=UTC)) == "2024-01-01T08:00:00.123Z"


def test_none_stays_none():
    assert iso_seconds(None) is None and iso_ms(None) is None
    assert TimestampField(allow_null=True).to_representation(None) is None


def test_the_field_uses_the_same_format():
    assert TimestampField().to_representation(datetime(2024, 1, 1, 8, tzinfo=UTC)) == "2024-01-01T08:00:00Z"
