-- wrk script: POST /v1/registrations with a unique serial per request.
-- Environment: WD_KEY (dealer key). Each wrk thread numbers its own requests.
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  thread_id = tonumber(tid) or 0
  key = os.getenv("WD_KEY")
  day = os.getenv("WD_DAY")
  run = os.getenv("WD_RUN") or "R"
end

function request()
  counter = counter + 1
  local serial = string.format("B%s%02d%09d", run, thread_id, counter)
  local body = string.format(
    '{"serial_number":"%s","sku":"BENCH-1","purchase_date":"%s","customer":{"name":"Bench %d","email":"%s@bench.test"},"consent":{"service_reminders":true,"marketing":false}}',
    serial, day, counter, string.lower(serial))
  return wrk.format("POST", "/v1/registrations", {
    ["Authorization"] = "Bearer " .. key,
    ["Content-Type"] = "application/json",
  }, body)
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout
  io.write(string.format("RESULT rps=%.1f p50_ms=%.2f p99_ms=%.2f errors=%d non2xx=%d requests=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    errors, summary.errors.status, summary.requests))
end
