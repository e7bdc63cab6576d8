"""The key lookup every request makes: compiled once, executed (and checked) every time."""

from datetime import timedelta

import pytest
from django.db.models import Value
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from apikeys.models import ApiKey
from apikeys.querysets import InvalidKey
from apikeys.services import api_key_revoke
from apikeys.tests.factories import make_key

pytestmark = pytest.mark.django_db


def _fields(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def test_it_returns_what_the_orm_returns(django_assert_num_queries):
    key, raw = make_key(scopes=["users.read", "listings.write"], rate_limit_per_minute=7)
    expected = ApiKey.objects.select_related("owner").get(pk=key.pk)
    # 1. the key joined with its owner
    with django_assert_num_queries(1):
        found = ApiKey.objects.authenticate(raw)
        assert found.owner.email == expected.owner.email  # the owner came with the key
    assert _fields(found) == _fields(expected)
    assert _fields(found.owner) == _fields(expected.owner)
    assert found.scopes == ["users.read", "listings.write"]  # JSON decoded, as the ORM does
    assert found.created_at.tzinfo is not None
    assert not found._state.adding and found._state.db == "default"
    assert not found.owner._state.adding and found.owner._state.db == "default"


def test_the_query_is_not_compiled_again(monkeypatch):
    from apikeys import querysets

    key, raw = make_key()
    # Compiled here, in this test: a cache kept from earlier would pass whatever was stored where
    # (mutation testing forks each run from a process that has already compiled it).
    monkeypatch.setattr(querysets, "_compiled", {})
    ApiKey.objects.authenticate(raw)
    compiled = []
    original = SQLCompiler.as_sql

    def counting(self, *args, **kwargs):
        compiled.append(self.query.model)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    ApiKey.objects.authenticate(raw)
    assert compiled == []
    ApiKey.objects.select_related("owner").get(key_id=key.key_id)  # what it replaces: compiled each time
    assert compiled == [ApiKey]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda key: api_key_revoke(key=key), "api_key_revoked"),
        (lambda key: ApiKey.objects.filter(pk=key.pk).update(is_active=False), "api_key_inactive"),
        (lambda key: type(key.owner).objects.filter(pk=key.owner_id).update(is_active=False), "api_key_inactive"),
        (
            lambda key: ApiKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() - timedelta(seconds=1)),
            "api_key_expired",
        ),
        (lambda key: ApiKey.objects.filter(pk=key.pk).delete(), "invalid_api_key"),
    ],
    ids=["revoked", "deactivated", "owner-deactivated", "expired", "deleted"],
)
def test_a_change_to_the_key_counts_at_the_very_next_lookup(change, reason):
    key, raw = make_key()
    assert ApiKey.objects.authenticate(raw).pk == key.pk
    change(key)
    with pytest.raises(InvalidKey) as refused:
        ApiKey.objects.authenticate(raw)
    assert refused.value.reason == reason


def test_a_key_is_expired_from_the_instant_it_expires(monkeypatch):
    now = timezone.now()
    _key, raw = make_key(expires_at=now)
    monkeypatch.setattr(timezone, "now", lambda: now - timedelta(microseconds=1))
    assert ApiKey.objects.authenticate(raw).expires_at == now  # a moment before: still valid
    monkeypatch.setattr(timezone, "now", lambda: now)
    with pytest.raises(InvalidKey) as refused:
        ApiKey.objects.authenticate(raw)
    assert refused.value.reason == "api_key_expired"


def test_a_wrong_secret_or_prefix_is_refused():
    _key, raw = make_key()
    for presented in (raw[:-1] + ("A" if raw[-1] != "A" else "B"), "sk_test_" + raw.removeprefix("sk_live_")):
        with pytest.raises(InvalidKey) as refused:
            ApiKey.objects.authenticate(presented)
        assert refused.value.reason == "invalid_api_key"


def test_a_filtered_queryset_looks_up_within_its_filter(django_assert_num_queries):
    key, raw = make_key()
    with django_assert_num_queries(1):  # the owner comes with the key on this path too
        found = ApiKey.objects.filter(owner=key.owner).authenticate(raw)
        assert (found.pk, found.owner.email) == (key.pk, key.owner.email)
    with pytest.raises(InvalidKey):
        ApiKey.objects.exclude(pk=key.pk).authenticate(raw)


def test_a_shaped_queryset_takes_the_orm_path_and_shapes_nothing_after_it():
    from apikeys import querysets

    key, raw = make_key()
    querysets._compiled.clear()
    deferred = ApiKey.objects.defer("scopes", "usage_count").authenticate(raw)
    assert deferred.get_deferred_fields() == {"scopes", "usage_count"}
    assert ApiKey.objects.authenticate(raw).get_deferred_fields() == set()


@pytest.mark.parametrize(
    ("shape", "shaped"),
    [
        (lambda keys: keys.annotate(marker=Value(7)), lambda key: key.marker == 7),
        (lambda keys: keys.extra(select={"marker": "7"}), lambda key: key.marker == 7),
        (lambda keys: keys.select_related("space"), lambda key: "space" in key._state.fields_cache),
    ],
    ids=["annotated", "extra", "select_related"],
)
def test_each_shape_of_a_queryset_is_kept(shape, shaped):
    _key, raw = make_key()
    ApiKey.objects.authenticate(raw)  # the plain lookup is compiled: a shaped one must not use it
    assert shaped(shape(ApiKey.objects.all()).authenticate(raw))


def test_a_sliced_queryset_keeps_its_slice():
    """The slice is the ORM's to apply (it refuses to filter a slice), not dropped by the compiled lookup."""
    _key, raw = make_key()
    with pytest.raises(TypeError, match="slice"):
        ApiKey.objects.all()[1:].authenticate(raw)


def test_a_compiled_lookup_with_a_parameter_it_did_not_expect_is_refused_naming_it(monkeypatch):
    """Were a Django upgrade to compile the lookup with another parameter besides the key id,
    each request would run a query with that parameter missing or misplaced: refuse to use it,
    saying what was found. (``as_sql`` is Django's; replaced here to stand for that upgrade.)"""
    from apikeys import querysets

    original = SQLCompiler.as_sql

    def with_one_more_parameter(self, *args, **kwargs):
        sql, params = original(self, *args, **kwargs)
        return sql, (*params, 7)

    monkeypatch.setattr(SQLCompiler, "as_sql", with_one_more_parameter)
    with pytest.raises(RuntimeError) as refused:
        querysets._compile(ApiKey.objects.all(), "default")
    assert str(refused.value) == (f"Unexpected parameters in the compiled key lookup: {(querysets._PLACEHOLDER, 7)!r}")


def _key(*, is_active=True, owner_active=True, expires_at=None, revoked=False) -> ApiKey:
    key = make_key(expires_at=expires_at)[0]
    if revoked:
        api_key_revoke(key=key)
    ApiKey.objects.filter(pk=key.pk).update(is_active=is_active)
    type(key.owner).objects.filter(pk=key.owner_id).update(is_active=owner_active)
    return key


def test_the_status_filter_finds_exactly_the_keys_with_that_status():
    """Staff filter keys by status (the admin's list filter): each key in exactly one status,
    with the property's precedence (revoked, then inactive, then expired)."""
    past, future = timezone.now() - timedelta(hours=1), timezone.now() + timedelta(days=1)
    expected = {
        "revoked": {_key(revoked=True), _key(revoked=True, is_active=False)},
        "inactive": {_key(is_active=False), _key(owner_active=False), _key(is_active=False, expires_at=past)},
        "expired": {_key(expires_at=past)},
        "active": {_key(), _key(expires_at=future)},
    }
    for status, keys in expected.items():
        assert set(ApiKey.objects.with_status(status)) == keys, status
        assert {key.status for key in ApiKey.objects.select_related("owner").filter(pk__in=[k.pk for k in keys])} == {
            status
        }
    with pytest.raises(ValueError, match=r"^Unknown key status 'paused'$"):
        ApiKey.objects.with_status("paused")


@pytest.mark.parametrize(
    "presented",
    [
        "sk_live_" + "é" * 44,  # letters, but not ASCII
        "sk_live_" + "a1-" * 14 + "ab",  # ASCII, but not only letters and digits
        "sk_live_" + "a" * 43,
        "sk_live_" + "a" * 45,
        "xx_live_" + "a" * 44,
        "",
    ],
    ids=["non-ascii", "punctuation", "short", "long", "unknown-prefix", "empty"],
)
def test_a_string_that_cannot_be_a_key_is_refused_without_a_query(presented, django_assert_num_queries):
    with django_assert_num_queries(0), pytest.raises(InvalidKey) as refused:
        ApiKey.objects.authenticate(presented)
    assert refused.value.reason == "invalid_api_key"
