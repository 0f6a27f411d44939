"""The console pages; each module registers its pages with ``register()``."""
