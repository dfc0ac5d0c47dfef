"""The per-project cache of each file's outcome (see ``corpuslint.cache.store``)."""
