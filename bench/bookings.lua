-- wrk script for the booking scenarios of `make bench` (bench/README.md): POST /v2/bookings
-- with a different body each request, statuses counted.
--
--   wrk ... -s bench/bookings.lua URL -- <data file> <first index> <threads>
--
-- The data file (written by bench/data.py) returns {path, nights, window, rooms = {{listing
-- id, room type id}, ...}, users = {...}, dates = {"YYYY-MM-DD", ...}}. Request number i
-- books room rooms[i mod #rooms] for guest users[i mod #users], checking in on day
-- floor(i / #rooms) mod window, for `nights` nights. The runner passes as first index the
-- number of requests earlier runs of the scenario sent, so that runs do not repeat stays.
-- done() prints "bench-statuses created=<201s> conflicts=<409s> other=<others>" and the
-- first other answer, which the runner reads.
--
-- With `hosts = {{key = "<API key>", users = {...}}, ...}` in the data file, a room is
-- {listing id, room type id, host index}: the request goes out with that host's key, for
-- guest users[floor(i / #rooms) mod #users + 1] of that host (bookings spread over many hosts).

local threads = {}

function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

created, conflicts, other, first_error = 0, 0, 0, ""

local data, index, step, headers

function init(args)
  data = dofile(args[1])
  step = tonumber(args[3] or "1")
  index = tonumber(args[2] or "0") + thread_index
  headers = {}
  for name, value in pairs(wrk.headers) do
    headers[name] = value
  end
  headers["Content-Type"] = "application/json"
end

function request()
  local i = index
  index = index + step
  local room = data.rooms[i % #data.rooms + 1]
  local day = math.floor(i / #data.rooms) % data.window
  local user
  local h = {}  -- wrk.format adds Content-Length to the table it is given: a fresh one each time
  for name, value in pairs(headers) do
    h[name] = value
  end
  if room[3] then
    local host = data.hosts[room[3]]
    h["X-API-Key"] = host.key
    user = host.users[math.floor(i / #data.rooms) % #host.users + 1]
  else
    user = data.users[i % #data.users + 1]
  end
  local body = string.format(
    '{"user_id":%d,"listing_id":%d,"room_type_id":%d,"checkin_at":"%s","checkout_at":"%s","guests":1}',
    user, room[1], room[2], data.dates[day + 1], data.dates[day + 1 + data.nights]
  )
  return wrk.format("POST", data.path, h, body)
end

function response(status, _headers, body)
  if status == 201 then
    created = created + 1
  elseif status == 409 then
    conflicts = conflicts + 1
  else
    other = other + 1
    if first_error == "" then
      first_error = status .. " " .. string.sub(body or "", 1, 300)
    end
  end
end

function done(_summary, _latency, _requests)
  local c, k, o, e = 0, 0, 0, ""
  for _, thread in ipairs(threads) do
    c = c + thread:get("created")
    k = k + thread:get("conflicts")
    o = o + thread:get("other")
    if e == "" then
      e = thread:get("first_error")
    end
  end
  io.write(string.format("bench-statuses created=%d conflicts=%d other=%d\n", c, k, o))
  if e ~= "" then
    io.write("bench-first-error " .. (e:gsub("\n", " ")) .. "\n")
  end
end
