-- wrk's report as one JSON line (bench/dashboard.py reads it): requests, errors, and the
-- latency percentiles in milliseconds (wrk keeps them in microseconds).
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    '{"requests": %d, "errors": %d, "seconds": %.3f, "median_ms": %.1f, "p95_ms": %.1f, "max_ms": %.1f}\n',
    summary.requests, errors, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(95) / 1e3, latency.max / 1e3))
end
