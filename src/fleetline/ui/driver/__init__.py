"""The driver app: a phone-sized page of today's stops, with actions that survive offline."""
