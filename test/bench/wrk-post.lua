-- wrk script: POST /api {"id":1,"method":"ping"}.
-- With WRK_CHECK=1 in the environment it also checks every reply is 200 {"id":1,"result":"pong"} and
-- prints "bad_replies N"; without it wrk does no per-reply Lua work (as in the measured runs).
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

if os.getenv("WRK_CHECK") == "1" then
function response(status, headers, body)
  if status ~= 200 or body ~= '{"id":1,"result":"pong"}' then
    bad = bad + 1
    if bad <= 3 then io.stderr:write("wrk-post.lua: unexpected reply " .. status .. " " .. tostring(body) .. "\n") end
  end
end
end

function done(summary, latency, requests)
  if os.getenv("WRK_CHECK") ~= "1" then return end
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("bad") end
  io.write(string.format("bad_replies %d\n", total))
end
