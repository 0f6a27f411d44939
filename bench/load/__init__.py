"""A whole company at once: ``fleetline serve`` under a day's concurrent load."""
