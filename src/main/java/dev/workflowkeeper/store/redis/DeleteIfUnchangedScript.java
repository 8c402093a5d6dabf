package dev.workflowkeeper.store.redis;

/**
 * The Lua script behind {@link RedisMaintenance#deleteIfUnchanged}: deletes a key
 * ({@code UNLINK}, so that a large value is freed in the background) only while it still
 * holds the value it was judged by, in one atomic step, so that a state the service
 * rewrote after the judgement survives.
 * <p>
 * {@code KEYS[1]} the key; {@code ARGV[1]} the judged value. Returns 1 when deleted, 0
 * when the key is gone or holds anything else (another type included).
 */
final class DeleteIfUnchangedScript {

	static final String SOURCE = """
			if redis.pcall('GET', KEYS[1]) == ARGV[1] then
			  return redis.call('UNLINK', KEYS[1])
			end
			return 0
			""";

	private DeleteIfUnchangedScript() {
	}

}
