"""The store: SQLModel tables (models.tables), the engine and units of work (models.engine,
models.store) and migrations. Importing the package loads nothing, so the app's first screen
and its first look at the store (circles.glance) need neither SQLAlchemy nor the tables."""
