package dev.workflowkeeper.store.redis;

/**
 * The Lua script behind {@link dev.workflowkeeper.store.ConflictPolicy#NEWER}: reads the
 * target's state, takes its {@code updated_at} and writes the incoming state only when
 * that is strictly older, in one atomic step, so that a live service's write between the
 * read and the write cannot be lost.
 * <p>
 * {@code KEYS[1]} the key; {@code ARGV[1]} the incoming value, {@code ARGV[2]} its
 * absolute expiry (epoch millis, {@code PXAT}), {@code ARGV[3]} its {@code updated_at} in
 * epoch millis or empty when unknown. Returns 1 when written, 0 when the target was kept.
 * <p>
 * The target's {@code updated_at} is read the way
 * {@link dev.workflowkeeper.store.StateFields} reads the incoming one: an ISO-8601 string
 * as Python's {@code datetime.isoformat()} writes it, with or without fraction, with an
 * offset, {@code Z} or none (UTC), or a number of epoch seconds (millis past 1e12). Both
 * sides are truncated to milliseconds. A missing target, one that is not a JSON object,
 * not a string or has no readable {@code updated_at} is replaced; an incoming state
 * without one never replaces a target that has one. Equal timestamps keep the target,
 * which makes a repeated write a no-op.
 */
final class NewerStateScript {

	static final String SOURCE = """
			local function days_from_civil(y, m, d)
			  if m <= 2 then y = y - 1 end
			  local era = math.floor(y / 400)
			  local yoe = y - era * 400
			  local doy = math.floor((153 * ((m + 9) % 12) + 2) / 5) + d - 1
			  local doe = yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy
			  return era * 146097 + doe - 719468
			end

			local function iso_millis(text)
			  local y, mo, d, h, mi, rest = string.match(text, '^%s*(%d%d%d%d)%-(%d%d)%-(%d%d)[Tt ](%d%d):(%d%d)(.*)$')
			  if not y then return nil end
			  y, mo, d, h, mi = tonumber(y), tonumber(mo), tonumber(d), tonumber(h), tonumber(mi)
			  local s, ms = 0, 0
			  local sec = string.match(rest, '^:(%d%d)')
			  if sec then
			    s = tonumber(sec)
			    rest = string.sub(rest, 4)
			    local digits = string.match(rest, '^%.(%d+)')
			    if digits then
			      if #digits > 9 then return nil end
			      ms = tonumber(string.sub(digits .. '00', 1, 3))
			      rest = string.sub(rest, #digits + 2)
			    end
			  end
			  rest = string.match(rest, '^(.-)%s*$')
			  local offset = 0
			  if rest ~= '' and rest ~= 'Z' and rest ~= 'z' then
			    local sign, oh, om, tail = string.match(rest, '^([+-])(%d%d):(%d%d)(.*)$')
			    if not sign then return nil end
			    local os = 0
			    if tail ~= '' then
			      os = tonumber(string.match(tail, '^:(%d%d)$'))
			      if not os then return nil end
			    end
			    offset = tonumber(oh) * 3600 + tonumber(om) * 60 + os
			    if sign == '-' then offset = -offset end
			  end
			  if mo < 1 or mo > 12 or d < 1 or d > 31 or h > 23 or mi > 59 or s > 59 then return nil end
			  return (days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset) * 1000 + ms
			end

			local function updated_at_millis(value)
			  local ok, state = pcall(cjson.decode, value)
			  if not ok or type(state) ~= 'table' then return nil end
			  local updated = state['updated_at']
			  if type(updated) == 'number' then
			    if updated > 1e12 then return math.floor(updated) end
			    return math.floor(updated * 1000)
			  elseif type(updated) == 'string' then
			    return iso_millis(updated)
			  end
			  return nil
			end

			if redis.call('TYPE', KEYS[1])['ok'] == 'string' then
			  local existing = updated_at_millis(redis.call('GET', KEYS[1]))
			  if existing then
			    local incoming = tonumber(ARGV[3])
			    if incoming == nil or incoming <= existing then return 0 end
			  end
			end
			redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[2])
			return 1
			""";

	private NewerStateScript() {
	}

}
