-- wrk script: POST /api {"id":1,"method":"ping"} and count replies that are not {"id":1,"result":"pong"}.
wrk.method = "POST"
wrk.path = "/api"
wrk.body = '{"id":1,"method":"ping"}'
wrk.headers["Content-Type"] = "application/json"

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  bad = 0
end

function response(status, headers, body)
  if status ~= 200 or body ~= '{"id":1,"result":"pong"}' then
    bad = bad + 1
    if bad <= 3 then io.stderr:write("wrk-post.lua: unexpected reply " .. status .. " " .. tostring(body) .. "\n") end
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("bad") end
  io.write(string.format("bad_replies %d\n", total))
end
