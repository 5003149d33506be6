"""The classify stage."""
