-- wrk script for the benchmark: sends pre-built request bodies, cycling through them, and prints a
-- JSON summary line when done (parsed by harness.py).
--
--   wrk -s post.lua URL -- METHOD CONTENT_TYPE MODE FILE
--
-- MODE "lines": FILE holds one body per line (JSON bodies never contain a raw newline); every
-- connection cycles through them, each starting at a different line.
-- MODE "whole": FILE is one body (e.g. a multipart upload or raw bytes), sent as is.
-- MODE "files": FILE lists body files, one path per line; each is a whole body, cycled through.
-- CONTENT_TYPE "-" sends no Content-Type header.

local requests = {}
local counter = 0
local threads_set_up = 0

function setup(thread)
  thread:set("thread_index", threads_set_up)
  threads_set_up = threads_set_up + 1
end

local function read_file(path)
  local f = assert(io.open(path, "rb"), "cannot open " .. path)
  local data = f:read("*a")
  f:close()
  return data
end

function init(args)
  local method, content_type, mode, file = args[1], args[2], args[3], args[4]
  assert(file, "usage: wrk -s post.lua URL -- METHOD CONTENT_TYPE lines|whole|files FILE")
  local headers = {}
  if content_type ~= "-" then
    headers["Content-Type"] = content_type
  end
  headers["Accept"] = "application/json"
  local data = read_file(file)
  if mode == "whole" then
    requests[1] = wrk.format(method, nil, headers, data)
  elseif mode == "files" then
    for path in data:gmatch("[^\n]+") do
      requests[#requests + 1] = wrk.format(method, nil, headers, read_file(path))
    end
  else
    for line in data:gmatch("[^\n]+") do
      requests[#requests + 1] = wrk.format(method, nil, headers, line)
    end
  end
  assert(#requests > 0, "no request bodies in " .. file)
  -- Spread the threads over the bodies so that they do not all send the same ids in lockstep.
  counter = ((thread_index or 0) * 7919) % #requests
end

function request()
  counter = counter + 1
  return requests[(counter % #requests) + 1]
end

function done(summary, latency, _requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"max":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
