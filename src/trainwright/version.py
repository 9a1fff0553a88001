"""The package's version, in a module of its own: reports, served metadata and saved models record it, and
importing it must not load the package's top (which loads `train` and `evaluate`)."""

__version__ = "0.1.0"
