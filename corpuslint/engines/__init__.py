"""Engines other than the default local one (``corpuslint.run.executor``).

An engine runs the same two passes over the same rule plugins: read files and collect
document findings and signatures, then compare signatures that share a key. Rules and
readers never know which engine runs them.
"""


class EngineError(Exception):
    """An engine cannot run (a cluster out of reach, an extra not installed): exit 2."""
