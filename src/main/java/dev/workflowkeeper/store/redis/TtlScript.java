package dev.workflowkeeper.store.redis;

/**
 * The Lua script behind {@link RedisMaintenance#enforceTtl} for the cases one {@code PEXPIREAT … LT}
 * cannot tell apart (a fill expiry other than the maximum, an expected value) and for every case on
 * Redis 6.2, which has no expire options: it reads the key's expiry and sets the new one in one atomic
 * step, so that a service write in between cannot be undone.
 * <p>
 * {@code KEYS[1]} the key; {@code ARGV[1]} the fill expiry, {@code ARGV[2]} the maximum expiry (epoch
 * millis), {@code ARGV[3]} {@code 1} when the server has {@code PEXPIRETIME} (Redis 7), else {@code 0};
 * {@code ARGV[4]}, when given, the value the key must still hold. Returns {@code 1} when a missing TTL
 * was filled, {@code 2} when the expiry was capped, {@code 0} when it was left alone and {@code -1} when
 * the key is gone or its value differs (another type counts as a different value).
 * <p>
 * On Redis 6.2 the absolute expiry is {@code TIME + PTTL}, with both clock reads around {@code PTTL} in
 * the same millisecond so that it is exact; when they never are (a few tries), the later one is taken,
 * which can only cap a key at the maximum once more, never leave it later.
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

			local function expire_at(key)
			  if ARGV[3] == '1' then return redis.call('PEXPIRETIME', key) end
			  local pttl, after
			  for _ = 1, 5 do
			    local before = now_millis()
			    pttl = redis.call('PTTL', key)
			    if pttl < 0 then return pttl end
			    after = now_millis()
			    if before == after then return after + pttl end
			  end
			  return after + pttl
			end

			if ARGV[4] then
			  local value = redis.pcall('GET', KEYS[1])
			  if type(value) ~= 'string' or value ~= ARGV[4] then return -1 end
			end
			local at = expire_at(KEYS[1])
			if at == -2 then return -1 end
			if at == -1 then
			  redis.call('PEXPIREAT', KEYS[1], ARGV[1])
			  return 1
			end
			if at > tonumber(ARGV[2]) then
			  redis.call('PEXPIREAT', KEYS[1], ARGV[2])
			  return 2
			end
			return 0
			""";

	private TtlScript() {
	}

}
