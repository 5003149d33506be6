"""The installed version, kept apart so that `linkaudit --version` imports nothing else."""

__version__ = "0.1.0"

#: The name on the package index (``linkaudit`` there is an unrelated project); the import
#: package and the command stay ``linkaudit``.
DISTRIBUTION = "linkaudit-citations"
PROJECT_URL = f"https://pypi.org/project/{DISTRIBUTION}/"
