package dev.workflowkeeper.store.redis;

/**
 * The Lua script behind {@link RedisMaintenance#enforceTtl} for the cases one
 * {@code PEXPIRE … LT} cannot tell apart (a fill expiry other than the maximum, an
 * expected value, two bounds) and for every case on Redis 6.2, which has no expire
 * options: it reads the key's expiry and sets the new one in one atomic step, so that a
 * service write in between cannot be undone.
 * <p>
 * {@code KEYS[1]} the key; {@code ARGV[1]} the fill expiry (epoch millis; empty for the
 * maximum itself), {@code ARGV[2]} the absolute maximum expiry (epoch millis; empty for
 * none), {@code ARGV[3]} {@code 1} when the server has {@code PEXPIRETIME} (Redis 7),
 * else {@code 0}; {@code ARGV[4]} the maximum TTL in millis (empty for none);
 * {@code ARGV[5]} how far below the maximum an expiry set lands, in millis ({@code 0} for
 * the maximum itself); {@code ARGV[6]}, when given, the value the key must still hold.
 * The maximum is the earlier of {@code ARGV[2]} and the server's {@code TIME} plus
 * {@code ARGV[4]}: counted on the server's clock, so that the TTL the key is left with is
 * never above the maximum TTL, however far the worker's clock is off. A missing TTL gets
 * the earlier of the fill and the maximum less {@code ARGV[5]}; an expiry above the
 * maximum is lowered to the maximum less {@code ARGV[5]}, one at or below it is left
 * alone. Returns {@code 1} when a missing TTL was filled, {@code 2} when the expiry was
 * capped, {@code 0} when it was left alone and {@code -1} when the key is gone or its
 * value differs (another type counts as a different value).
 * <p>
 * On Redis 6.2 the absolute expiry is {@code TIME + PTTL}, with both clock reads around
 * {@code PTTL} in the same millisecond so that it is exact. When they never are (a few
 * tries) the expiry is only known to lie between the two: a key whose later bound is past
 * the maximum is set to the earlier of its target and the earlier bound, which leaves it
 * neither above the maximum nor later than it was (at worst a few milliseconds shorter).
 */
final class TtlScript {

	static final long FIXED_MISSING = 1;

	static final long CAPPED = 2;

	static final long UNTOUCHED = 0;

	static final long CHANGED_OR_GONE = -1;

	static final String SOURCE = """
			local function now_millis()
			  local t = redis.call('TIME')
			  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
			end

			-- the earliest and latest the key's expiry can be, or twice PTTL's -1 (none) or -2 (no key)
			local function expiry(key)
			  if ARGV[3] == '1' then
			    local at = redis.call('PEXPIRETIME', key)
			    return at, at
			  end
			  local before, pttl, after
			  for _ = 1, 5 do
			    before = now_millis()
			    pttl = redis.call('PTTL', key)
			    if pttl < 0 then return pttl, pttl end
			    after = now_millis()
			    if before == after then break end
			  end
			  return before + pttl, after + pttl
			end

			-- Lua numbers are doubles: written out in full, never in exponent form
			local function millis(at)
			  return string.format('%.0f', at)
			end

			if ARGV[6] then
			  local value = redis.pcall('GET', KEYS[1])
			  if type(value) ~= 'string' or value ~= ARGV[6] then return -1 end
			end
			local earliest, latest = expiry(KEYS[1])
			if earliest == -2 then return -1 end
			local max = tonumber(ARGV[2])
			if ARGV[4] ~= '' then
			  -- read after the key's expiry, and no later than the end of the script
			  local relative = now_millis() + tonumber(ARGV[4])
			  if max == nil or relative < max then max = relative end
			end
			-- where an expiry set lands: the maximum, or a spread's place below it
			local target = max - tonumber(ARGV[5])
			if earliest == -1 then
			  local fill = tonumber(ARGV[1])
			  if fill == nil or fill > target then fill = target end
			  redis.call('PEXPIREAT', KEYS[1], millis(fill))
			  return 1
			end
			if latest > max then
			  redis.call('PEXPIREAT', KEYS[1], millis(math.min(target, earliest)))
			  return 2
			end
			return 0
			""";

	private TtlScript() {
	}

}
