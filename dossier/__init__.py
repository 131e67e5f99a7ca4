"""Shared runtime of the dossier pipeline: settings, object store, database, command line."""

__version__ = "0.1.0"
