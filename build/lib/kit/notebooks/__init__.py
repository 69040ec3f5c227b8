"""Notebooks and their paired job modules: reading, tags, pairing, templates and export."""
