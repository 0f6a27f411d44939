"""The admin console at ``/admin``: orders import, vehicles, drivers, clients, tokens."""
