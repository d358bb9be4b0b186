"""Cross-cutting security tests: the authorisation matrix of every URL, the Content-Security-
Policy in a real browser."""
