"""The archive stage."""
