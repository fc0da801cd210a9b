-- SendMessage over the Query protocol: the message of send_message.lua,
-- form-encoded (Action=SendMessage&...), answered in XML. Run beside
-- send_message.lua to measure the Query codec's overhead against JSON.
--   wrk -t2 -c64 -d10s --latency -s send_message_query.lua http://127.0.0.1:PORT/ -- QUEUE_URL [BODY_BYTES]
-- A success is a 200 whose body names a MessageId.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

function setup(thread) common.setup(thread) end

-- application/x-www-form-urlencoded: unreserved characters as they are,
-- everything else %XX.
local function form_encode(text)
  return (text:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function init(args)
  local queue_url = args[1] or error("usage: -- QUEUE_URL [BODY_BYTES]")
  local body = common.message_body(tonumber(args[2] or "64"))
  common.init("SendMessage", "Action=SendMessage&Version=2012-11-05&QueueUrl=" .. form_encode(queue_url) ..
    "&MessageBody=" .. form_encode(body))
  -- Query, not JSON: a form body and no X-Amz-Target.
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
  wrk.headers["X-Amz-Target"] = nil
end

local function valid(body) return body:find("<MessageId>", 1, true) ~= nil end

function response(status, headers, body) common.check(status, body, valid) end

function done(summary, latency, requests) common.done(summary, latency, 1) end
