-- One script for every figure, so every side is driven the same way.
--   GET:  wrk ... -s bench.lua URL
--   POST: wrk ... -s bench.lua URL -- PATH REQUESTS_FILE CONTENT_TYPE
--   conditional GET: wrk ... -s bench.lua URL -- PATH REQUESTS_FILE GET
-- REQUESTS_FILE has one request a line: `Cookie header<TAB>body` (for GET the
-- second field is the If-None-Match value); the lines are sent in turn (and
-- again from the top when they run out).
-- done() prints one JSON line that bench/run.py reads.

local requests = {}
local count = 0
local next_index = 0

init = function(args)
  if #args == 0 then
    return
  end
  local path, file, content_type = args[1], args[2], args[3]
  for line in io.lines(file) do
    local cookie, body = line:match("^([^\t]*)\t(.*)$")
    if body ~= nil then
      local headers = {}
      if cookie ~= "" then
        headers["Cookie"] = cookie
      end
      count = count + 1
      if content_type == "GET" then
        headers["If-None-Match"] = body
        requests[count] = wrk.format("GET", path, headers)
      else
        headers["Content-Type"] = content_type
        requests[count] = wrk.format("POST", path, headers, body)
      end
    end
  end
end

request = function()
  if count == 0 then
    return wrk.request()
  end
  next_index = next_index % count + 1
  return requests[next_index]
end

done = function(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "mean_us": %.1f, ' ..
    '"socket_errors": %d, "bad_status": %d, "timeouts": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.mean, e.connect + e.read + e.write, e.status, e.timeout))
end
