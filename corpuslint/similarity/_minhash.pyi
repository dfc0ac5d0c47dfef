"""Types of the compiled MinHash kernel (``_minhash.c``)."""

def near_keys(texts: list[bytes], bands: int, rows: int) -> list[tuple[bytes, bytes]]:
    """``corpuslint.similarity.hashing.near_keys`` of UTF-8 texts."""
