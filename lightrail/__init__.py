"""Lightrail: an open stored-value platform, wire-compatible with Lightrail API v2."""

__version__ = "0.1.0"
