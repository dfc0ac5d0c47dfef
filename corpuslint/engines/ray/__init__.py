"""The Ray engine (extra ``[ray]``): the same rules on Ray Data, see ``driver``."""
