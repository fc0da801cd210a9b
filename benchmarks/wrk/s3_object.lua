-- S3 PutObject or GetObject of small objects, unsigned path-style requests
-- as curl or a presigned client sends them (the x-amz-content-sha256
-- header marks them S3's; Sluice does not verify signatures).
--   wrk -t2 -c16 -d5s --latency -s s3_object.lua http://127.0.0.1:PORT/ -- put|get BUCKET [BYTES] [KEYS]
-- put: each request writes a new key (thread id + counter), BYTES bytes.
-- get: each request reads one of KEYS keys "get-0".."get-(KEYS-1)", which the
-- caller put before (run.sh does it with curl).
-- A success is a 200 (with BYTES bytes for get).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

local threads_started = 0
function setup(thread)
  common.setup(thread)
  threads_started = threads_started + 1
  thread:set("thread_id", threads_started)
end

function init(args)
  mode = args[1] or error("usage: -- put|get BUCKET [BYTES] [KEYS]")
  bucket = args[2] or error("usage: -- put|get BUCKET [BYTES] [KEYS]")
  bytes = tonumber(args[3] or "4096")
  keys = tonumber(args[4] or "100")
  non200 = 0
  bad_body = 0
  first_error = ""
  counter = 0
  body = common.message_body(bytes)
  wrk.headers["Content-Type"] = "application/octet-stream"
  wrk.headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD"
  -- moto routes by the credential scope; Sluice reads it to claim the request.
  wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, "
    .. "SignedHeaders=host;x-amz-content-sha256, Signature=00"
end

function request()
  counter = counter + 1
  if mode == "put" then
    return wrk.format("PUT", "/" .. bucket .. "/bench/" .. thread_id .. "-" .. counter, nil, body)
  end
  return wrk.format("GET", "/" .. bucket .. "/get-" .. (counter % keys), nil, nil)
end

local function valid(response_body)
  return mode == "put" or #response_body == bytes
end

function response(status, headers, response_body) common.check(status, response_body, valid) end

function done(summary, latency, requests) common.done(summary, latency, 1) end
