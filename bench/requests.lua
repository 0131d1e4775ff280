-- wrk script of bench/load.py: requests in rotation, one per argument after the first,
--   wrk -s bench/requests.lua URL -- 2xx 'GET /api/v1/me' 'POST /api/v2/posts {"title": "… @N@"}'
-- each "METHOD PATH [JSON body]"; a body goes as application/json with "@N@" replaced by
-- "<thread>-<count>" (unique titles: no slug needs a "-2"). The first argument is the answer
-- expected, "201" or "2xx" (wrk does not tell which request an answer is for);
-- "Unexpected: <n>" at the end counts the answers that were not, for load.py.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  expect_201 = args[1] == "201"
  lines = {}
  for i = 2, #args do
    local line = args[i]
    local method, path, body = line:match("^(%u+) (%S+) ?(.*)$")
    local entry = { method = method, path = path }
    if body ~= "" then
      entry.body = body
      entry.headers = { ["Content-Type"] = "application/json" }
      for name, value in pairs(wrk.headers) do
        entry.headers[name] = value
      end
    else
      entry.request = wrk.format(method, path) -- the same bytes every time
    end
    table.insert(lines, entry)
  end
  next_line = 0
  counter = 0
  unexpected = 0
end

function request()
  next_line = next_line % #lines + 1
  local entry = lines[next_line]
  if entry.request then
    return entry.request
  end
  counter = counter + 1
  local body = entry.body:gsub("@N@", id .. "-" .. counter)
  return wrk.format(entry.method, entry.path, entry.headers, body)
end

function response(status, headers, body)
  if (expect_201 and status ~= 201) or status < 200 or status > 299 then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local n = 0
  for _, thread in ipairs(threads) do
    n = n + thread:get("unexpected")
  end
  io.write(string.format("Unexpected: %d\n", n))
end
