"""The one exception that bad configuration raises, so start-up can report it in one line."""

from django.core.exceptions import ImproperlyConfigured


class ConfigurationError(ImproperlyConfigured):
    """A setting is missing or wrong; the message names the environment variable."""
