-- wrk script: GET one path with the headers given by -H (the member's session and member cookies).
-- done() prints one line "BENCH_JSON {...}" in the same shape as signed_events.lua's.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  ok, rejected, wrapped = 0, 0, 0
end

function response(status, hdrs, body)
  if status >= 200 and status < 300 then
    ok = ok + 1
  else
    rejected = rejected + 1
  end
end

function done(summary, latency, requests)
  local total_ok, total_rejected = 0, 0
  for _, thread in ipairs(threads) do
    total_ok = total_ok + thread:get("ok")
    total_rejected = total_rejected + thread:get("rejected")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"duration_us":%d,"requests":%d,"ok":%d,"rejected":%d,"wrapped":0,' ..
    '"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d,"status_errors":%d,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"p999_us":%d,"max_us":%d,"mean_us":%.1f}\n',
    summary.duration, summary.requests, total_ok, total_rejected,
    e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.max, latency.mean))
end
