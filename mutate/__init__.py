"""`make mutate`: the report of a run and the preparation before one (mutmut is configured in pyproject.toml)."""
