-- wrk script: POST one door check per request, each with a fresh client id, for a random person.
-- Reads the bearer token from env TOKEN and person ids (one per line) from env PEOPLE (a file path).
local people = {}
local token = os.getenv("TOKEN")
for line in io.lines(os.getenv("PEOPLE")) do people[#people + 1] = line end

-- A time-ordered id (UUID v7), as the field app makes them. wrk's Lua has no millisecond clock: the
-- seconds come from os.time and the milliseconds from a wrapping counter, so the ids rise from one
-- second to the next and fall in one second's narrow range of the index meanwhile.
local counter = 0
local function uuid()
  counter = counter + 1
  local ms = os.time() * 1000 + counter % 1000
  local random = string.gsub("xxx-yxxx-xxxxxxxxxxxx", "[xy]", function(c)
    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
    return string.format("%x", v)
  end)
  return string.format("%08x-%04x-7%s", math.floor(ms / 65536), ms % 65536, random)
end

function setup(thread)
  thread:set("seed", math.random(1, 1000000))
end

function init(args)
  math.randomseed(os.time() + (seed or 0))
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token

function request()
  local person = people[math.random(1, #people)]
  local body = string.format(
    '{"id":"%s","personId":"%s","occurredAt":"%s","channel":"in_person","kind":"cadre_visit","outcome":"all_well","needs":[]}',
    uuid(), person, os.date("!%Y-%m-%dT%H:%M:%SZ", os.time() - 60))
  return wrk.format(nil, "/v1/door-checks", nil, body)
end

-- Reports error answers so a broken run cannot pass for a fast one.
function done(summary, latency, requests)
  io.write(string.format("   error answers (non-2xx): %d of %d; p50 %.1f ms, p99 %.1f ms\n", summary.errors.status,
    summary.requests, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
