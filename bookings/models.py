"""Filled in by the coliving partner and integrations work (issue 3)."""
