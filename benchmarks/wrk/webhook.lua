-- POST /webhook with a new event_id per request (validate + dedup + route +
-- durable commit on every one; a repeated id would measure the 409 path).
--   wrk -t2 -c64 -d5s --latency -s webhook.lua http://127.0.0.1:PORT/
-- A success is a 200 (nginx's static answer is held to the same check).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

local types = {"payment", "refund", "dispute"}
local counter = 0
local prefix = ""

function setup(thread)
  common.setup(thread)
  thread:set("thread_tag", tostring(#common_threads_seen + 1))
  table.insert(common_threads_seen, thread)
end
common_threads_seen = {}

function init(args)
  non200 = 0
  bad_body = 0
  first_error = ""
  -- Unique across threads and runs: the thread's tag and the start time.
  prefix = string.format("evt_%s_%d_", thread_tag or "0", os.time())
  wrk.method = "POST"
  wrk.path = "/webhook"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"event_id":"%s%d","transaction_type":"%s","amount":%d.25,"timestamp":"2026-01-15T10:00:00Z"}',
    prefix, counter, types[counter % 3 + 1], counter % 1000)
  return wrk.format(nil, nil, nil, body)
end

local function valid(body) return true end

function response(status, headers, body) common.check(status, body, valid) end

function done(summary, latency, requests) common.done(summary, latency, 1) end
