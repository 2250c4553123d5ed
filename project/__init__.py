"""What every part of the project shares: where its files are (paths), how its
YAML files are read (yaml_files), the clinic's settings (clinic) and what a
deployment configures through the environment (settings)."""
