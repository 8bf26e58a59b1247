"""Prefect flows and the ``foerderradar`` command line."""
