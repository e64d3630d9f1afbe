"""Package data (see deploy/build/)."""
