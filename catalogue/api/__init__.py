"""The JSON API (design.md §8): thin views over the domain packages."""
