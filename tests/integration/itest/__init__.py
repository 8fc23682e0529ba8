"""Helpers for Runnel's integration tests: broker processes, payloads, raw wire codec, clients."""
