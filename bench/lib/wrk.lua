-- wrk script of bench/run.sh: POSTs a fixed GraphQL body to the URL's path, with
-- placeholders replaced per request:
--   __ID__  a random integer in [1, ID_MAX] (a user id; the data set has 10,000 users)
--   __WID__ a random integer in [5001, 10000] (the users M1 writes)
--   __RND__ a random integer in [1, 1000000] (to make each write different)
-- The body comes from the file named by the environment variable BENCH_BODY; ID_MAX from
-- BENCH_ID_MAX (default 10000). done() prints one JSON line for bench/lib/bench.py.

local f = assert(io.open(os.getenv("BENCH_BODY"), "rb"))
local template = f:read("*a")
f:close()
local id_max = tonumber(os.getenv("BENCH_ID_MAX") or "10000")
local dynamic = template:find("__ID__", 1, true) or template:find("__WID__", 1, true)
  or template:find("__RND__", 1, true)
local headers = { ["Content-Type"] = "application/json" }
local fixed = nil

function setup(thread)
  thread:set("seed", math.random(1, 1000000))
end

function init(args)
  math.randomseed(42 + (seed or 0))
  if not dynamic then
    fixed = wrk.format("POST", nil, headers, template)
  end
end

function request()
  if fixed then
    return fixed
  end
  local body = template:gsub("__ID__", tostring(math.random(1, id_max)))
  body = body:gsub("__WID__", tostring(math.random(5001, 10000)))
  body = body:gsub("__RND__", tostring(math.random(1, 1000000)))
  return wrk.format("POST", nil, headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "mean_us": %.1f, ' ..
    '"err_connect": %d, "err_read": %d, "err_write": %d, "err_status": %d, "err_timeout": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.mean,
    e.connect, e.read, e.write, e.status, e.timeout))
end
