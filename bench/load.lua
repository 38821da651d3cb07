-- wrk script for the benchmark: replays the requests listed in a file, one per line:
--   METHOD <TAB> path <TAB> Cookie header <TAB> body (form-encoded, may be empty)
-- Each wrk thread takes every n-th line, starting at its own offset, so no two threads send the
-- same line; with BENCH_ONCE=1 a thread stops after its last line (signing: each draft signs once;
-- the driver makes more lines than the run can use). Statuses and redirect targets are counted
-- per thread, and `done` prints one JSON line the driver reads:
--   BENCH_JSON {"requests":..., "duration_us":..., "p50_us":..., ...}

local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_index", thread_count - 1)
  table.insert(threads, thread)
end

local lines = {}
local position = 0
local once = false
-- Globals, not locals: `done` reads them from each thread with thread:get, which sees only
-- globals (a local here made every run report no statuses at all).
statuses = {}
locations = {}
exhausted = 0

local function split(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    table.insert(fields, field)
  end
  return fields
end

function init(args)
  local path = os.getenv("BENCH_REQUESTS")
  local count = tonumber(os.getenv("BENCH_THREADS") or "1")
  once = os.getenv("BENCH_ONCE") == "1"
  local index = 0
  for line in io.lines(path) do
    if index % count == thread_index then
      local fields = split(line)
      local headers = {}
      if fields[3] ~= "" then
        headers["Cookie"] = fields[3]
      end
      if fields[1] == "POST" then
        headers["Content-Type"] = "application/x-www-form-urlencoded"
      end
      headers["User-Agent"] = "wrk-bench/1.0"
      table.insert(lines, wrk.format(fields[1], fields[2], headers, fields[4]))
    end
    index = index + 1
  end
end

function request()
  position = position + 1
  if position > #lines then
    if once then
      exhausted = exhausted + 1
    end
    position = 1
  end
  return lines[position]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  local location = headers["Location"]
  if location then
    location = location:gsub("%?.*$", "")
    locations[location] = (locations[location] or 0) + 1
  end
end

local function json_table(t)
  local parts = {}
  for key, value in pairs(t) do
    table.insert(parts, string.format("%q:%d", tostring(key), value))
  end
  return "{" .. table.concat(parts, ",") .. "}"
end

function done(summary, latency, requests)
  local all_statuses = {}
  local all_locations = {}
  local reused = 0
  for _, thread in ipairs(threads) do
    for key, value in pairs(thread:get("statuses") or {}) do
      all_statuses[key] = (all_statuses[key] or 0) + value
    end
    for key, value in pairs(thread:get("locations") or {}) do
      all_locations[key] = (all_locations[key] or 0) + value
    end
    reused = reused + (thread:get("exhausted") or 0)
  end
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"p50_us":%d,"p90_us":%d,"p95_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"reused_lines":%d,"statuses":%s,"locations":%s}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max, latency.mean,
    summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout,
    reused, json_table(all_statuses), json_table(all_locations)))
end
