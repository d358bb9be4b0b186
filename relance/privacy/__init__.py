"""Personal data: anonymising the customers settled for longer than the retention period, and
exporting everything held about one person (GDPR articles 5-1-e, 15 and 20)."""
