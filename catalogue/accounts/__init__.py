"""Accounts: users and roles, signing in and out, API tokens, `flask users` (design.md §1, §3, §8)."""
