"""The API client fixtures live in ``tests/integration/api_client.py`` (shared by every
integration test); this module re-exports its helpers for the tests beside it."""

from ..api_client import DAY, START, Api, Company, order_body, window

__all__ = ["DAY", "START", "Api", "Company", "order_body", "window"]
