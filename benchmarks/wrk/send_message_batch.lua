-- SendMessageBatch with 10 entries per request; msgs_per_s = 10 x ok_rps.
--   wrk -t2 -c64 -d10s --latency -s send_message_batch.lua http://127.0.0.1:PORT/ -- QUEUE_URL [BODY_BYTES]
-- A success is a 200 whose "Failed" list is empty or absent.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

local kEntries = 10

function setup(thread) common.setup(thread) end

function init(args)
  local queue_url = args[1] or error("usage: -- QUEUE_URL [BODY_BYTES]")
  local body = common.message_body(tonumber(args[2] or "64"))
  local entries = {}
  for i = 1, kEntries do
    entries[i] = '{"Id":"m' .. i .. '","MessageBody":"' .. body .. '"}'
  end
  common.init("SendMessageBatch",
    '{"QueueUrl":"' .. queue_url .. '","Entries":[' .. table.concat(entries, ",") .. ']}')
end

local function valid(body)
  return body:find('"Successful"', 1, true) ~= nil and body:find('"Failed"%s*:%s*%[%s*{') == nil
end

function response(status, headers, body) common.check(status, body, valid) end

function done(summary, latency, requests) common.done(summary, latency, kEntries) end
