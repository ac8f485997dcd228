"""Running the forum in production: logs, metrics, health, backups."""
