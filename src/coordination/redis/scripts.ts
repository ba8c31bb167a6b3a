/**
 * The Lua scripts behind Redis coordination. Each runs atomically in Redis, which is what
 * they are for: a check and the write it allows can never interleave with another process.
 * Times in budget and throttle scripts are the callers' clock in whole ms (Lua prints larger
 * numbers in exponent form, so they are passed as integers and written back from ARGV); lease
 * and lock lifetimes are Redis' own (PX, wall time).
 */

/** Stores the new pair only while the stored one is the pair it replaces, or there is none. */
export const TOKEN_REPLACE = `
local current = redis.call('GET', KEYS[1])
if current then
  local ok, stored = pcall(cjson.decode, current)
  if ok and type(stored) == 'table' and stored.refresh_token ~= ARGV[1] then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2])
return 1`;

/** Puts a pair back (Redis lost it) unless a newer one (later obtained_at, ISO text) is there. */
export const TOKEN_RESTORE = `
local current = redis.call('GET', KEYS[1])
if current then
  local ok, stored = pcall(cjson.decode, current)
  if ok and type(stored) == 'table' and type(stored.obtained_at) == 'string' and stored.obtained_at >= ARGV[2] then
    return 0
  end
end
redis.call('SET', KEYS[1], ARGV[1])
return 1`;

/** Deletes a lock or lease only while it is still ours. */
export const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * Takes or renews a lease or lock held as ARGV[1] for ARGV[2] ms: 1 it was ours already (renewed,
 * or an earlier try that timed out here was applied late); 2 taken now because the key is
 * missing (free, or Redis lost its data: an owner takes its own account back first); 0 someone
 * else holds it.
 */
export const CLAIM = `
local owner = redis.call('GET', KEYS[1])
if owner == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not owner then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 2
end
return 0`;

/**
 * Membership: this process is live for ARGV[2] ms more (Redis' clock, so hosts' clocks do not
 * matter). Returns the live processes and the data epoch, created (third value 1) when missing:
 * a missing epoch means a new or restarted Redis.
 */
export const HEARTBEAT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
local epoch = redis.call('GET', KEYS[2])
local created = 0
if not epoch then
  redis.call('SET', KEYS[2], ARGV[3])
  epoch = ARGV[3]
  created = 1
end
return {redis.call('ZCARD', KEYS[1]), epoch, created}`;

/**
 * One start against the account's and the app's windows, all or nothing. KEYS: user starts,
 * app starts, user throttle, app throttle. ARGV: now, member, user short/long limits, app
 * short/long limits, short/long window ms. Returns {1} when recorded; {0, retryAt, reason} when
 * a throttle window is open; {0, retryAt, ''} when a window is full.
 */
export const BUDGET_TAKE = `
local now = tonumber(ARGV[1])
-- A caller's now may be older than a start another process recorded meanwhile: counted from the
-- newest start instead, the windows stay exact whatever order the scripts run in.
for k = 1, 2 do
  local newest = redis.call('ZRANGE', KEYS[k], -1, -1, 'WITHSCORES')
  if newest[2] and tonumber(newest[2]) > now then now = tonumber(newest[2]) end
end
for i = 3, 4 do
  local window = redis.call('GET', KEYS[i])
  if window then
    local sep = string.find(window, '|', 1, true)
    local untilMs = tonumber(string.sub(window, 1, sep - 1))
    if untilMs and untilMs > now then return {0, untilMs, string.sub(window, sep + 1)} end
  end
end
local shortMs = tonumber(ARGV[7])
local longMs = tonumber(ARGV[8])
local retryAt = 0
local function full(key, limit, windowMs)
  if limit <= 0 then return now + windowMs end
  local starts = redis.call('ZRANGEBYSCORE', key, '(' .. (now - windowMs), '+inf', 'WITHSCORES')
  local count = #starts / 2
  if count < limit then return 0 end
  return tonumber(starts[(count - limit) * 2 + 2]) + windowMs
end
for k = 1, 2 do
  redis.call('ZREMRANGEBYSCORE', KEYS[k], '-inf', now - longMs)
  local shortLimit = tonumber(ARGV[1 + k * 2])
  local longLimit = tonumber(ARGV[2 + k * 2])
  retryAt = math.max(retryAt, full(KEYS[k], shortLimit, shortMs), full(KEYS[k], longLimit, longMs))
end
if retryAt > now then return {0, retryAt, ''} end
for k = 1, 2 do
  redis.call('ZADD', KEYS[k], now, ARGV[2])
  redis.call('PEXPIRE', KEYS[k], longMs)
end
return {1}`;

/**
 * A throttle met by account ARGV[1] until ARGV[2] (reason ARGV[3], now ARGV[4], key lifetime
 * ARGV[5] ms). KEYS: the account's window, the app's, the accounts throttled lately. Taken as
 * the account's own limit unless another account's window is open: then the app's. Returns
 * the scope.
 */
export const THROTTLE_OPEN = `
local now = tonumber(ARGV[4])
local untilMs = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
local others = redis.call('ZCARD', KEYS[3])
if redis.call('ZSCORE', KEYS[3], ARGV[1]) then others = others - 1 end
local target = KEYS[1]
local scope = 'user'
local reason = ARGV[3]
if others > 0 then
  target = KEYS[2]
  scope = 'app'
  reason = reason .. '; app-wide'
end
local mine = redis.call('ZSCORE', KEYS[3], ARGV[1])
if not mine or tonumber(mine) < untilMs then redis.call('ZADD', KEYS[3], untilMs, ARGV[1]) end
redis.call('PEXPIRE', KEYS[3], ARGV[5])
local current = redis.call('GET', target)
if current then
  local currentUntil = tonumber(string.sub(current, 1, string.find(current, '|', 1, true) - 1))
  if currentUntil and currentUntil >= untilMs then return scope end
end
redis.call('SET', target, ARGV[2] .. '|' .. reason, 'PX', ARGV[5])
return scope`;
