package dev.workflowkeeper.store.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisDataException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one line a user reads when an ACL refuses a command or a key, from the replies of
 * Redis 6.2, 7.0 and 7.2, and which replies count as a missing command.
 */
class RedisErrorsTests {

	private static final String ADDRESS = "redis://keeper:****@redis:6379/0";

	private final RedisErrors errors = new RedisErrors(ADDRESS, "s3cret", "keeper");

	@ParameterizedTest
	@CsvSource(delimiter = ';',
			value = { "NOPERM this user has no permissions to run the 'memory' command or its subcommand;MEMORY;memory",
					"NOPERM this user has no permissions to run the 'memory|usage' command;MEMORY USAGE;memory|usage",
					"NOPERM User keeper has no permissions to run the 'unlink' command;UNLINK;unlink" })
	void shouldNameTheRefusedCommandAndItsRule(String reply, String command, String rule) {
		// when
		String message = this.errors.translate(new JedisAccessControlException(reply)).getMessage();

		// then
		assertThat(message).isEqualTo("Redis at " + ADDRESS + " refused " + command + " to user keeper: grant it with +"
				+ rule + " (see README, ACL rules)");
	}

	@Test
	void shouldNameTheCommandAScriptLineCallsWhenTheScriptIsRefusedIt() throws Exception {
		// given: Redis 7.0's reply for line 2 of the delete script
		String sha = HexFormat.of()
			.formatHex(MessageDigest.getInstance("SHA-1")
				.digest(DeleteIfUnchangedScript.SOURCE.getBytes(StandardCharsets.UTF_8)));
		String reply = "ERR The user executing the script can't run this command or subcommand script: " + sha
				+ ", on @user_script:2.";

		// when
		String message = this.errors.translate(new JedisDataException(reply)).getMessage();

		// then
		assertThat(message).isEqualTo("Redis at " + ADDRESS
				+ " refused UNLINK to user keeper in the worker's script: grant it with +unlink (see README, ACL rules)");
	}

	@ParameterizedTest
	@CsvSource({ "NOPERM this user has no permissions to access one of the keys used as arguments",
			"NOPERM No permissions to access a key" })
	void shouldNameTheKeyPatternWhenAKeyIsRefused(String reply) {
		assertThat(this.errors.translate(new JedisAccessControlException(reply)).getMessage())
			.startsWith("Redis at " + ADDRESS + " refused user keeper access to a key: grant the key pattern");
	}

	@Test
	void shouldTellAMissingCommandFromAnotherError() {
		RedisCommands commands = new RedisCommands(ADDRESS, "keeper");
		assertThat(commands.missing(RedisCommands.Command.MEMORY_USAGE,
				new JedisDataException(
						"ERR unknown command `MEMORY`, with args beginning with: `USAGE`, `document_workflow:a`, ")))
			.isTrue();
		assertThat(commands.missing(RedisCommands.Command.PEXPIRETIME,
				new JedisAccessControlException("NOPERM this user has no permissions to run the 'time' command")))
			.isTrue();
		assertThat(commands.missing(RedisCommands.Command.EVAL,
				new JedisAccessControlException("NOPERM this user has no permissions to run the 'evalsha' command")))
			.isFalse();
		assertThat(
				commands.missing(RedisCommands.Command.EVAL,
						new JedisAccessControlException(
								"NOPERM this user has no permissions to access one of the keys used as arguments")))
			.isFalse();
		assertThat(commands.has(RedisCommands.Command.MEMORY_USAGE)).isFalse();
		assertThat(commands.has(RedisCommands.Command.EVAL)).isTrue();
	}

}
