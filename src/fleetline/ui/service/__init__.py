"""The service console: one search box, one order card (``/service``)."""
