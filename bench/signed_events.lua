-- wrk script: POST pre-signed Stripe events, each thread its own share of distinct events.
-- Args (after --): <path> <template file> <data file> <thread count>. The data file has one line per event:
-- "<token> <Stripe-Signature header>"; the body is the template with every @@T@@ replaced by the token.
-- done() prints one line "BENCH_JSON {...}" with counts and latency percentiles (microseconds).

local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("tid", thread_count)
  table.insert(threads, thread)
end

local function split(text, sep)
  local parts, start = {}, 1
  while true do
    local i, j = string.find(text, sep, start, true)
    if not i then
      table.insert(parts, string.sub(text, start))
      return parts
    end
    table.insert(parts, string.sub(text, start, i - 1))
    start = j + 1
  end
end

function init(args)
  path = args[1]
  local handle = assert(io.open(args[2], "rb"))
  parts = split(handle:read("*a"), "@@T@@")
  handle:close()
  tokens, signatures = {}, {}
  local nthreads = tonumber(args[4])
  local n = 0
  for line in io.lines(args[3]) do
    if n % nthreads == tid - 1 then
      local space = string.find(line, " ", 1, true)
      table.insert(tokens, string.sub(line, 1, space - 1))
      table.insert(signatures, string.sub(line, space + 1))
    end
    n = n + 1
  end
  index, wrapped, ok, rejected = 0, 0, 0, 0
  headers = { ["Content-Type"] = "application/json" }
end

function request()
  index = index + 1
  if index > #tokens then
    index, wrapped = 1, wrapped + 1
  end
  headers["Stripe-Signature"] = signatures[index]
  return wrk.format("POST", path, headers, table.concat(parts, tokens[index]))
end

function response(status, hdrs, body)
  if status >= 200 and status < 300 then
    ok = ok + 1
  else
    rejected = rejected + 1
  end
end

function done(summary, latency, requests)
  local total_ok, total_rejected, total_wrapped = 0, 0, 0
  for _, thread in ipairs(threads) do
    total_ok = total_ok + thread:get("ok")
    total_rejected = total_rejected + thread:get("rejected")
    total_wrapped = total_wrapped + thread:get("wrapped")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"duration_us":%d,"requests":%d,"ok":%d,"rejected":%d,"wrapped":%d,' ..
    '"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d,"status_errors":%d,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"p999_us":%d,"max_us":%d,"mean_us":%.1f}\n',
    summary.duration, summary.requests, total_ok, total_rejected, total_wrapped,
    e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.max, latency.mean))
end
