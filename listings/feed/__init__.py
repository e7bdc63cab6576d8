"""The host JSON feed (``shared/spec/coliving-json-feed.txt``): one field registry
(``registry.py``) from which validation, the OpenAPI schema, the helper endpoints and the
field guide are derived; the import (``sync.py``) and the export (``export.py``)."""
