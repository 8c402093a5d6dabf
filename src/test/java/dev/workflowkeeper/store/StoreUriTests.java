package dev.workflowkeeper.store;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class StoreUriTests {

	@Test
	void shouldParseEveryKindOfStore() {
		assertThat(StoreUri.parse("redis://localhost:6379/2").kind()).isEqualTo(StoreUri.Kind.REDIS);
		assertThat(StoreUri.parse("rediss://user:pw@cache.example:6380/0").kind()).isEqualTo(StoreUri.Kind.REDIS);
		assertThat(StoreUri.parse("snapshot:/tmp/states.json.gz").snapshotPath().toString())
			.isEqualTo("/tmp/states.json.gz");
		assertThat(StoreUri.parse("memory:").kind()).isEqualTo(StoreUri.Kind.MEMORY);
	}

	@Test
	void shouldMaskPasswordsWhereverTheAddressIsShown() {
		assertThat(StoreUri.parse("redis://:s3cret@host:6379/0").toString()).isEqualTo("redis://:****@host:6379/0");
		assertThat(StoreUri.parse("rediss://ops:s3cret@host:6380/1").masked())
			.isEqualTo("rediss://ops:****@host:6380/1");
		assertThat(StoreUri.mask("redis://host:6379/0")).isEqualTo("redis://host:6379/0");
	}

	@Test
	void shouldReadTheSeedNodesOfAClusterWithTheSameCredentialsAndDatabase() {
		StoreUri uri = StoreUri.parse("redis://ops:s3cret@h1:7000,h2:7001,[::1]:7002/0");

		assertThat(uri.redisSeeds()).extracting(Object::toString)
			.containsExactly("redis://ops:s3cret@h1:7000/0", "redis://ops:s3cret@h2:7001/0",
					"redis://ops:s3cret@[::1]:7002/0");
		assertThat(uri.redisUri().getHost()).isEqualTo("h1");
		assertThat(uri.masked()).isEqualTo("redis://ops:****@h1:7000,h2:7001,[::1]:7002/0");
		assertThat(StoreUri.parse("rediss://h1:7000").redisSeeds()).extracting(Object::toString)
			.containsExactly("rediss://h1:7000");
		assertThatIllegalArgumentException().isThrownBy(() -> StoreUri.parse("redis://h1:7000,:7001/0"))
			.withMessageContaining("names no host");
	}

	@Test
	void shouldRejectUnknownAddressesWithOneClearLine() {
		assertThatIllegalArgumentException().isThrownBy(() -> StoreUri.parse("mongodb://x"))
			.withMessageStartingWith("unknown store address 'mongodb://x'");
		assertThatIllegalArgumentException().isThrownBy(() -> StoreUri.parse("redis://:pw@host:6379/abc"))
			.withMessageContaining("redis://:****@host:6379/abc")
			.withMessageNotContaining("pw@");
		assertThatIllegalArgumentException().isThrownBy(() -> StoreUri.parse("snapshot:"));
	}

	@Test
	void shouldParseSentinelAddressesAsLettuceAndSpringWriteThem() {
		// when
		StoreUri uri = StoreUri.parse("redis-sentinel://ops:p%40ss@s1.example:26380,s2.example,[::1]:26381/3#orders");
		StoreUri.Sentinel sentinel = uri.sentinel();

		// then
		assertThat(uri.kind()).isEqualTo(StoreUri.Kind.REDIS);
		assertThat(uri.isSentinel()).isTrue();
		assertThat(sentinel.tls()).isFalse();
		assertThat(sentinel.rawUserInfo()).isEqualTo("ops:p%40ss");
		assertThat(sentinel.sentinels()).containsExactly(new StoreUri.HostPort("s1.example", 26380),
				new StoreUri.HostPort("s2.example", 26379), new StoreUri.HostPort("::1", 26381));
		assertThat(sentinel.db()).isEqualTo(3);
		assertThat(sentinel.master()).isEqualTo("orders");
		assertThat(uri.masked())
			.isEqualTo("redis-sentinel://ops:****@s1.example:26380,s2.example,[::1]:26381/3#orders");
		assertThat(StoreUri.parse("rediss-sentinel://h:26379#m").sentinel())
			.isEqualTo(new StoreUri.Sentinel(true, null, List.of(new StoreUri.HostPort("h", 26379)), null, "m"));
		assertThat(StoreUri.parse("redis://h:6379/0").isSentinel()).isFalse();
	}

	@Test
	void shouldRejectASentinelAddressWithoutMasterOrWithABadPartInOneLine() {
		assertThatIllegalArgumentException().isThrownBy(() -> StoreUri.parse("redis-sentinel://:pw@h:26379/0"))
			.withMessageContaining("names no master")
			.withMessageContaining("#mymaster")
			.withMessageNotContaining("pw@");
		assertThatIllegalArgumentException().isThrownBy(() -> StoreUri.parse("redis-sentinel://h:26379/0#"))
			.withMessageContaining("names no master");
		assertThatIllegalArgumentException().isThrownBy(() -> StoreUri.parse("redis-sentinel://h:26379/x#m"))
			.withMessageContaining("the database must be a number");
		assertThatIllegalArgumentException().isThrownBy(() -> StoreUri.parse("redis-sentinel://h:port/0#m"))
			.withMessageContaining("the port of Sentinel h must be a number");
		assertThatIllegalArgumentException().isThrownBy(() -> StoreUri.parse("redis-sentinel://h:1,/0#m"))
			.withMessageContaining("names a Sentinel without a host");
	}

}
