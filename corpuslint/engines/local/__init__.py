"""The local engine: a process pool for the document pass, then the corpus pass."""
