-- wrk script for scripts/bench-serve's malformed-input run: POSTs the JSON bodies in the file named
-- by BENCH_BODIES (one per line) in turn, and counts the answers by HTTP status across threads.
-- done() prints one line per status, "status 200: 1234", then "5xx: N".
local path = os.getenv("BENCH_BODIES") or error("BENCH_BODIES: the request bodies file is not set")
local bodies = {}
for line in io.lines(path) do
  if line ~= "" then
    bodies[#bodies + 1] = line
  end
end
assert(#bodies > 0, "BENCH_BODIES: no request bodies in " .. path)

local threads = {}
function setup(thread)
  threads[#threads + 1] = thread
end

local requests = {}
local next_request = 0
statuses = {}
function init(args)
  for i, body in ipairs(bodies) do
    requests[i] = wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, body)
  end
end

function request()
  next_request = next_request % #requests + 1
  return requests[next_request]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total, server_errors = {}, 0
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + count
    end
  end
  local codes = {}
  for status in pairs(total) do
    codes[#codes + 1] = status
  end
  table.sort(codes)
  for _, status in ipairs(codes) do
    io.write(string.format("status %d: %d\n", status, total[status]))
    if status >= 500 then
      server_errors = server_errors + total[status]
    end
  end
  io.write(string.format("5xx: %d\n", server_errors))
end
