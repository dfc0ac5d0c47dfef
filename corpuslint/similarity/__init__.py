"""Text similarity: normalization, hashing and MinHash sketches, signatures and their grouping."""
