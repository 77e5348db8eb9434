"""The ``podplan`` command line: thin commands over the library packages."""
