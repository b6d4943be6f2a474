"""Reclamare: an agent-based simulator of push advertising versus dialogue on a social network."""

__version__ = "0.1.0"
