"""Domain services: every read and write the screens and the CLI make goes through here.

Each function takes the database session of one unit of work (``store.read()`` or
``store.write()``) as its first argument and returns read models from ``circles.views``.

Importing any service installs the rotation's upkeep in every write unit of work
(circles/services/upkeep.py): whatever a service changes, stored presenters stay equal
to the rotation's preview when it commits.
"""

from circles.services import upkeep as _upkeep

_upkeep.install()
