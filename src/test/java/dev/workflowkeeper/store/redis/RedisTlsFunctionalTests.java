package dev.workflowkeeper.store.redis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.workflowkeeper.support.KeeperCli;
import dev.workflowkeeper.support.RedisServerProcess.Version;
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

	private int run(String... command) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(this.tmp.resolve("openssl.log").toFile())
			.start();
		return process.waitFor(60, TimeUnit.SECONDS) ? process.exitValue() : -1;
	}

}
