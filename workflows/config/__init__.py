"""The configuration file: schema, loading, validation with located errors."""

from workflows.config.load import ConfigError, ConfigIssue, LoadedConfig, load_config, parse_config
from workflows.config.schema import Config

__all__ = ["Config", "ConfigError", "ConfigIssue", "LoadedConfig", "load_config", "parse_config"]
