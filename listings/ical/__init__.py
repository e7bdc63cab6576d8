"""iCal: rooms' host calendars block nights (``sync.py``, ``parse.py``); room types export theirs (``export.py``)."""
