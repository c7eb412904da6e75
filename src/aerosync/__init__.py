"""AeroSync: Airflow 3 DAGs that keep aircraft operators' schedules in sync with Avinode."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("aerosync")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+source"
