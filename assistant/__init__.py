"""An offline assistant for school-based occupational therapists."""

__version__ = "0.1.0"
