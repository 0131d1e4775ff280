-- wrk script for the write scenarios of bench/__main__.py (bench/load.py passes it):
--   wrk -s bench/post.lua URL -- '<JSON body with @N@>'
-- POSTs the body as application/json, "@N@" replaced on each request by "<thread>-<count>"
-- (unique titles, so no slug needs a "-2"), and prints "Not 201: <n>": every answer that
-- is not 201 Created, which load.py counts as an error.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  template = args[1]
  counter = 0
  not201 = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local body = template:gsub("@N@", id .. "-" .. counter)
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status ~= 201 then
    not201 = not201 + 1
  end
end

function done(summary, latency, requests)
  local n = 0
  for _, thread in ipairs(threads) do
    n = n + thread:get("not201")
  end
  io.write(string.format("Not 201: %d\n", n))
end
