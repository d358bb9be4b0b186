"""Security plumbing that is no business area: production settings, the Content-Security-Policy
and the login throttle."""
