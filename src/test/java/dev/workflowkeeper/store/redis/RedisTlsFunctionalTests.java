package dev.workflowkeeper.store.redis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.workflowkeeper.support.KeeperCli;
import dev.workflowkeeper.support.RedisServerProcess.Version;
import dev.workflowkeeper.support.RedisSentinelProcess;
import dev.workflowkeeper.support.RedisServerProcess;
import dev.workflowkeeper.support.SampleStates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A migration into a Redis that speaks TLS ({@code rediss://}), as managed services do: a
 * real redis-server with a certificate made for the test, trusted through the JVM's trust
 * store.
 */
class RedisTlsFunctionalTests {

	@TempDir
	Path tmp;

	@Test
	void shouldMigrateIntoARedisOverTls() throws Exception {
		// given: a CA, a certificate for 127.0.0.1, and a server with a TLS port
		assumeTrue(run("openssl", "version") == 0, "openssl is not installed");
		Path ca = this.tmp.resolve("ca.crt");
		Path key = this.tmp.resolve("server.key");
		Path cert = this.tmp.resolve("server.crt");
		assertThat(run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=test-ca",
				"-keyout", this.tmp.resolve("ca.key").toString(), "-out", ca.toString()))
			.isZero();
		assertThat(run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout",
				key.toString(), "-out", this.tmp.resolve("server.csr").toString()))
			.isZero();
		Files.writeString(this.tmp.resolve("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
		assertThat(run("openssl", "x509", "-req", "-in", this.tmp.resolve("server.csr").toString(), "-CA",
				ca.toString(), "-CAkey", this.tmp.resolve("ca.key").toString(), "-CAcreateserial", "-days", "1",
				"-extfile", this.tmp.resolve("san.ext").toString(), "-out", cert.toString()))
			.isZero();
		Path trustStore = this.tmp.resolve("trust.p12");
		assertThat(run(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-importcert",
				"-noprompt", "-alias", "test-ca", "-file", ca.toString(), "-keystore", trustStore.toString(),
				"-storetype", "PKCS12", "-storepass", "changeit"))
			.isZero();
		int tlsPort = RedisServerProcess.freePort();
		RedisServerProcess server;
		try {
			server = RedisServerProcess.start(Version.DEFAULT, "--tls-port", Integer.toString(tlsPort),
					"--tls-cert-file", cert.toString(), "--tls-key-file", key.toString(), "--tls-ca-cert-file",
					ca.toString(), "--tls-auth-clients", "no");
		}
		catch (IllegalStateException ex) {
			assumeTrue(false, "this redis-server has no TLS: " + ex.getMessage());
			return;
		}
		try (server) {
			Path snapshot = SampleStates.writeMap(this.tmp.resolve("states.json"), SampleStates.states(25));
			KeeperCli cli = new KeeperCli(this.tmp.resolve("data"));

			// when
			KeeperCli.Result result = cli.await(cli.start(
					List.of("-Djavax.net.ssl.trustStore=" + trustStore, "-Djavax.net.ssl.trustStorePassword=changeit"),
					"migrate", "--from", "snapshot:" + snapshot, "--to", "rediss://127.0.0.1:" + tlsPort + "/0"), 120);

			// then
			assertThat(result.exitCode()).as(result.toString()).isZero();
			try (Jedis jedis = new Jedis("127.0.0.1", server.port())) {
				assertThat(jedis.dbSize()).isEqualTo(25);
			}
		}
	}

	@Test
	void shouldTrustTheCaFileOfTheSettingsAndCheckTheHostName() throws Exception {
		// given: a server whose certificate names 127.0.0.1, its CA given as a PEM file
		// (not in the JVM's trust store)
		Path ca = certificates("IP:127.0.0.1");
		try (RedisServerProcess server = startTls()) {
			KeeperCli cli = new KeeperCli(this.tmp.resolve("data")).with("keeper.redis.tls.ca-file", ca.toString());

			// when
			KeeperCli.Result result = cli.run("generate", "--to", tlsUri(), "--count", "20");

			// then
			assertThat(result.exitCode()).as(result.toString()).isZero();
			try (Jedis jedis = new Jedis("127.0.0.1", server.port())) {
				assertThat(jedis.dbSize()).isEqualTo(20);
			}
		}
	}

	@Test
	void shouldTrustATrustStoreOfTheSettings() throws Exception {
		// given
		Path ca = certificates("IP:127.0.0.1");
		Path trustStore = this.tmp.resolve("trust.p12");
		assertThat(run(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-importcert",
				"-noprompt", "-alias", "test-ca", "-file", ca.toString(), "-keystore", trustStore.toString(),
				"-storetype", "PKCS12", "-storepass", "store-secret"))
			.isZero();
		try (RedisServerProcess server = startTls()) {
			KeeperCli cli = new KeeperCli(this.tmp.resolve("data"))
				.with("keeper.redis.tls.trust-store", trustStore.toString())
				.with("keeper.redis.tls.trust-store-password", "store-secret");

			// when
			KeeperCli.Result result = cli.run("report", "--store", tlsUri());
			KeeperCli.Result wrongPassword = cli.with("keeper.redis.tls.trust-store-password", "wrong-secret")
				.run("report", "--store", tlsUri());

			// then
			assertThat(result.exitCode()).as(result.toString()).isZero();
			assertThat(wrongPassword.exitCode()).as(wrongPassword.toString()).isEqualTo(2);
			assertThat(wrongPassword.err().strip()).doesNotContain("\n")
				.contains("keeper.redis.tls.trust-store")
				.doesNotContain("wrong-secret");
		}
	}

	@Test
	void shouldRefuseACertificateOfAnotherHostUnlessVerifyModeIsCa() throws Exception {
		// given: a certificate signed by the trusted CA that names another host
		Path ca = certificates("DNS:cache.example");
		try (RedisServerProcess server = startTls()) {
			KeeperCli cli = new KeeperCli(this.tmp.resolve("data")).with("keeper.redis.tls.ca-file", ca.toString());

			// when
			KeeperCli.Result full = cli.run("generate", "--to", tlsUri(), "--count", "20");
			KeeperCli.Result chainOnly = cli.with("keeper.redis.tls.verify-mode", "ca")
				.run("generate", "--to", tlsUri(), "--count", "20");

			// then: the host name matters by default, the chain alone with verify-mode ca
			assertThat(full.exitCode()).as(full.toString()).isEqualTo(2);
			assertThat(full.err().strip()).doesNotContain("\n").contains("TLS handshake");
			assertThat(chainOnly.exitCode()).as(chainOnly.toString()).isZero();
			try (Jedis jedis = new Jedis("127.0.0.1", server.port())) {
				assertThat(jedis.dbSize()).isEqualTo(20);
			}
		}
	}

	@Test
	void shouldRefuseAnUntrustedCertificateEvenWithVerifyModeCa() throws Exception {
		// given: a server whose CA the worker was not given
		certificates("IP:127.0.0.1");
		Path otherCa = this.tmp.resolve("other-ca.crt");
		assertThat(run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
				"/CN=other-ca", "-keyout", this.tmp.resolve("other-ca.key").toString(), "-out", otherCa.toString()))
			.isZero();
		try (RedisServerProcess server = startTls()) {
			KeeperCli cli = new KeeperCli(this.tmp.resolve("data")).with("keeper.redis.tls.ca-file", otherCa.toString())
				.with("keeper.redis.tls.verify-mode", "ca");

			// when
			KeeperCli.Result result = cli.run("generate", "--to", tlsUri(), "--count", "20");

			// then
			assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
			assertThat(result.err()).contains("TLS handshake");
			try (Jedis jedis = new Jedis("127.0.0.1", server.port())) {
				assertThat(jedis.dbSize()).isZero();
			}
		}
	}

	@Test
	void shouldReachAMasterNamedBySentinelsOverTls() throws Exception {
		// given: a master, a replica and three Sentinels that speak TLS, the CA given as
		// a
		// file
		Path ca = certificates("IP:127.0.0.1");
		RedisSentinelProcess redis;
		try {
			redis = RedisSentinelProcess.startTls(this.tmp.resolve("server.crt"), this.tmp.resolve("server.key"), ca);
		}
		catch (IllegalStateException ex) {
			assumeTrue(false, "this redis-server has no TLS: " + ex.getMessage());
			return;
		}
		try (redis) {
			KeeperCli cli = new KeeperCli(this.tmp.resolve("data")).with("keeper.redis.tls.ca-file", ca.toString());

			// when
			KeeperCli.Result result = cli.run("generate", "--to", redis.uri(), "--count", "20");

			// then
			assertThat(redis.uri()).startsWith("rediss-sentinel://");
			assertThat(result.exitCode()).as(result.toString()).isZero();
			try (Jedis jedis = new Jedis("127.0.0.1", redis.master().port())) {
				assertThat(jedis.dbSize()).isEqualTo(20);
			}
		}
	}

	private int tlsPort;

	/**
	 * Makes a CA and a server certificate it signs for {@code subjectAltName}; returns
	 * the CA's PEM file.
	 */
	private Path certificates(String subjectAltName) throws Exception {
		assumeTrue(run("openssl", "version") == 0, "openssl is not installed");
		Path ca = this.tmp.resolve("ca.crt");
		assertThat(run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=test-ca",
				"-keyout", this.tmp.resolve("ca.key").toString(), "-out", ca.toString()))
			.isZero();
		assertThat(run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=redis-test", "-keyout",
				this.tmp.resolve("server.key").toString(), "-out", this.tmp.resolve("server.csr").toString()))
			.isZero();
		Files.writeString(this.tmp.resolve("san.ext"), "subjectAltName=" + subjectAltName + "\n");
		assertThat(run("openssl", "x509", "-req", "-in", this.tmp.resolve("server.csr").toString(), "-CA",
				ca.toString(), "-CAkey", this.tmp.resolve("ca.key").toString(), "-CAcreateserial", "-days", "1",
				"-extfile", this.tmp.resolve("san.ext").toString(), "-out", this.tmp.resolve("server.crt").toString()))
			.isZero();
		return ca;
	}

	/** A server with a TLS port, on the certificates made by {@link #certificates}. */
	private RedisServerProcess startTls() {
		this.tlsPort = RedisServerProcess.freePort();
		try {
			return RedisServerProcess.start(Version.DEFAULT, "--tls-port", Integer.toString(this.tlsPort),
					"--tls-cert-file", this.tmp.resolve("server.crt").toString(), "--tls-key-file",
					this.tmp.resolve("server.key").toString(), "--tls-ca-cert-file",
					this.tmp.resolve("ca.crt").toString(), "--tls-auth-clients", "no");
		}
		catch (IllegalStateException ex) {
			assumeTrue(false, "this redis-server has no TLS: " + ex.getMessage());
			throw ex;
		}
	}

	private String tlsUri() {
		return "rediss://127.0.0.1:" + this.tlsPort + "/0";
	}

	private int run(String... command) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(this.tmp.resolve("openssl.log").toFile())
			.start();
		return process.waitFor(60, TimeUnit.SECONDS) ? process.exitValue() : -1;
	}

}
