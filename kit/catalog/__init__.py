"""The Data Catalog as code: declarations under ``catalog/``, loaded, diffed, pulled, exported."""
