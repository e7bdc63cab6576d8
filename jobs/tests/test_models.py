"""Model rules of the directory."""

import pytest


@pytest.mark.parametrize("subdomain, valid", [("co-up", True), ("acme2", True), ("Acme", False), ("my_space", False)])
def test_a_spaces_subdomain_is_what_its_host_and_path_can_reach(subdomain, valid):
    from django.core.exceptions import ValidationError

    from jobs.models import Space

    field = Space._meta.get_field("subdomain")
    if valid:
        field.run_validators(subdomain)
    else:
        with pytest.raises(ValidationError):
            field.run_validators(subdomain)
