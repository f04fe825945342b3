"""Subtitle files: parsing, checking, storing append-only revisions, and serving them as WebVTT and SRT."""
