"""Fleetline: the live operations platform for mid-size distribution fleets."""

__version__ = "0.1.0"
