"""HarborList monitoring: Pulumi components, the settings they are built from, offline tools."""
