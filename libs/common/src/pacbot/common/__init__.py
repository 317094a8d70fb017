"""PacBot shared library: contracts and adapters every service uses."""
