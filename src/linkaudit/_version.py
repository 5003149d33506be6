"""The installed version, kept apart so that `linkaudit --version` imports nothing else."""

__version__ = "0.1.0"
