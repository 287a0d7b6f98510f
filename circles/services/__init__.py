"""Domain services: every read and write the screens and the CLI make goes through here.

Each function takes the database session of one unit of work (``store.read()`` or
``store.write()``) as its first argument and returns read models from ``circles.views``.
"""
