"""One engine and any number of faces over one PostgreSQL: who owns what, and how they talk.

The embedded default (``fleetline serve``, ``fleetline demo``) is one process that does
everything. A split installation runs two kinds of process over one PostgreSQL:

- **faces** (``fleetline serve --workers N``): the API, the consoles and the tracking
  pages. They write through commands in short transactions and read from the engine's
  latest published picture,
  which they follow (:mod:`~fleetline.cluster.pictures`). They compute nothing that
  another face would need: they ask the engine (a day's picture, an exception's options).
- **the engine** (``fleetline worker``): the live refresher, the re-planner, exception
  options, plan solves, the outbox, the MQTT feed and traffic. Exactly one is active,
  holding a PostgreSQL advisory lock (:mod:`~fleetline.cluster.lease`); the others wait
  as standbys and take over within seconds of its end. It handles every process's events
  in the order of the event log (:mod:`~fleetline.cluster.event_follower`), from where the
  last engine left off.

The engine reads the faces' events from the event log itself; for the rest, processes talk
through PostgreSQL's ``LISTEN``/``NOTIFY`` (:mod:`~fleetline.cluster.notifications`), and
bulky data (a picture) travels as a row that a notification points to.
"""
