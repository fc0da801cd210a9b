-- Shared by the wrk scripts: request setup for the AWS JSON 1.0 protocol,
-- response checking, and the RESULT line benchmarks/run.sh parses.
--
-- wrk runs each script once per thread (init/response) and once in the main
-- state (setup/done); counters live in each thread's globals and done()
-- collects them with thread:get().
local common = {}

local threads = {}

function common.setup(thread)
  table.insert(threads, thread)
end

-- Sets the fixed request every connection sends. The Authorization header is
-- an unverified SigV4 scope naming "sqs": moto routes by it; every server
-- under test gets the same bytes.
function common.init(target, body)
  non200 = 0
  bad_body = 0
  first_error = ""
  wrk.method = "POST"
  wrk.path = "/"
  wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
  wrk.headers["X-Amz-Target"] = "AmazonSQS." .. target
  wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sqs/aws4_request, "
    .. "SignedHeaders=host;x-amz-date, Signature=00"
  wrk.body = body
end

function common.message_body(bytes)
  local alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
  local parts = {}
  for i = 1, bytes do
    local k = ((i - 1) * 7 + math.floor((i - 1) / 36)) % #alphabet + 1
    parts[i] = alphabet:sub(k, k)
  end
  return table.concat(parts)
end

-- Counts a response that is not what a successful call returns.
-- `valid(body)` says whether a 200's body is a success.
function common.check(status, body, valid)
  if status ~= 200 then
    non200 = non200 + 1
    if first_error == "" then first_error = "HTTP " .. status .. ": " .. (body or ""):sub(1, 300) end
  elseif not valid(body or "") then
    bad_body = bad_body + 1
    if first_error == "" then first_error = "bad 200 body: " .. (body or ""):sub(1, 300) end
  end
end

function common.done(summary, latency, entries_per_request)
  local failed, bad, first = 0, 0, ""
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("non200")
    bad = bad + thread:get("bad_body")
    local e = thread:get("first_error")
    if first == "" and e ~= nil then first = e end
  end
  local errors = summary.errors
  local seconds = summary.duration / 1e6
  local ok = summary.requests - failed - bad
  io.write(string.format(
    "RESULT requests=%d ok=%d seconds=%.3f ok_rps=%.1f msgs_per_s=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f " ..
    "max_ms=%.3f non200=%d bad_body=%d connect_errors=%d read_errors=%d write_errors=%d timeouts=%d\n",
    summary.requests, ok, seconds, ok / seconds, ok * entries_per_request / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, failed, bad, errors.connect, errors.read, errors.write, errors.timeout))
  if first ~= "" then io.write("FIRST_ERROR " .. first:gsub("\n", " ") .. "\n") end
end

return common
