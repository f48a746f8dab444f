-- POSTs BENCH_QUERY (a GraphQL body) with the headers given on wrk's command line (-H).
wrk.method = "POST"
wrk.body = os.getenv("BENCH_QUERY")
wrk.headers["Content-Type"] = "application/json"
function done(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout + summary.errors.status))
end
