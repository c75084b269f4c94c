-- wrk script: POST /v2/transactions/<kind> with a unique transaction id and a random gift card per request.
-- Configured through the environment: LR_TOKEN, LR_KIND (checkout|debit), LR_CARDS (count), LR_PREFIX.
local token = os.getenv("LR_TOKEN")
local kind = os.getenv("LR_KIND") or "checkout"
local cards = tonumber(os.getenv("LR_CARDS") or "1000")
local prefix = os.getenv("LR_PREFIX") or "b"
local threads = {}
local counter = 0
local tag

function setup(thread)
  thread:set("tag", tostring(#threads))
  table.insert(threads, thread)
end

function init(args)
  tag = prefix .. "-" .. wrk.thread:get("tag") .. "-"
  math.randomseed(os.time() + #tag * 7919 + tonumber(wrk.thread:get("tag")))
end

local headers = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}

function request()
  counter = counter + 1
  local id = tag .. counter
  local card = string.format("gc-%04d", math.random(0, cards - 1))
  local body
  if kind == "debit" then
    body = '{"id":"' .. id .. '","currency":"USD","amount":1,"source":{"rail":"lightrail","valueId":"' .. card .. '"}}'
  else
    body = '{"id":"' .. id .. '","currency":"USD","lineItems":[' ..
      '{"type":"product","productId":"hat","unitPrice":2000,"quantity":1,"taxRate":0.05},' ..
      '{"type":"product","productId":"scarf","unitPrice":1500,"quantity":2,"taxRate":0.05}],' ..
      '"sources":[{"rail":"lightrail","valueId":"promo"},{"rail":"lightrail","valueId":"' .. card .. '"}]}'
  end
  return wrk.format("POST", "/v2/transactions/" .. kind, headers, body)
end

function done(summary, latency, requests)
  io.write(string.format(
    'RESULT {"requests":%d,"non2xx":%d,"socket_errors":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d}\n',
    summary.requests, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99)))
end
