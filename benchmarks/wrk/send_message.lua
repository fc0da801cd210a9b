-- SendMessage, one fixed message per request.
--   wrk -t2 -c64 -d10s --latency -s send_message.lua http://127.0.0.1:PORT/ -- QUEUE_URL [BODY_BYTES]
-- A success is a 200 whose body names a MessageId (nginx's static answer
-- in benchmarks/nginx.conf does too, so it is held to the same check).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

function setup(thread) common.setup(thread) end

function init(args)
  local queue_url = args[1] or error("usage: -- QUEUE_URL [BODY_BYTES]")
  local body = common.message_body(tonumber(args[2] or "64"))
  common.init("SendMessage", '{"QueueUrl":"' .. queue_url .. '","MessageBody":"' .. body .. '"}')
end

local function valid(body) return body:find('"MessageId"', 1, true) ~= nil end

function response(status, headers, body) common.check(status, body, valid) end

function done(summary, latency, requests) common.done(summary, latency, 1) end
