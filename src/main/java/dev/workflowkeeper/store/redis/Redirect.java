package dev.workflowkeeper.store.redis;

import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisAskDataException;
import redis.clients.jedis.exceptions.JedisRedirectionException;

/**
 * A Cluster's reply that a key lives on another node: {@code MOVED} (the slot has a new
 * owner: a failover, a finished resharding) or {@code ASK} (the slot is migrating, and
 * the key is already at the target, which takes it after {@code ASKING}). The command did
 * not run; it is sent again, for that key alone, to the node named.
 *
 * @param target the node that holds the key
 * @param ask whether the command must be preceded by {@code ASKING}
 */
record Redirect(HostAndPort target, boolean ask) {

	/** How many redirections of one key are followed before giving up. */
	static final int MAX_FOLLOWED = 5;

	/** The reply of a pipelined command, or the redirection it answered. */
	static Object reply(Response<?> response) {
		try {
			return response.get();
		}
		catch (JedisRedirectionException ex) {
			return new Redirect(ex.getTargetNode(), ex instanceof JedisAskDataException);
		}
	}

}
