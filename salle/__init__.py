"""Salle: exam day for the concours and examens professionnels of a centre de gestion."""

__version__ = "0.1.0"
