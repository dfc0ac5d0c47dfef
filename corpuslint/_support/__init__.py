"""Helpers that know nothing of corpora: atomic writes, time budgets, GC pauses, progress."""
