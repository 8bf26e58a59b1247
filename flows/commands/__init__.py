"""Command groups of the ``foerderradar`` CLI; each module has ``register(app)``."""
