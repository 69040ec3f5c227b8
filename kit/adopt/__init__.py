"""Adopting kit on existing Glue work: ``kit init``, ``kit import``, ``kit pull``."""
