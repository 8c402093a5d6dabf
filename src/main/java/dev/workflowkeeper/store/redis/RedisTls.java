package dev.workflowkeeper.store.redis;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Collections;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.store.StoreAccessException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import redis.clients.jedis.DefaultJedisClientConfig;

/**
 * The TLS of every Redis connection ({@code keeper.redis.tls.*}): which certificates are
 * trusted (a PEM CA file, a trust store, else the JVM's) and how much is verified (the
 * chain and the host name, the chain only, or nothing). The same for standalone servers,
 * Sentinels and their masters, and Cluster nodes, since all of them connect through a
 * Jedis client configuration.
 */
final class RedisTls {

	private static final Log logger = LogFactory.getLog(RedisTls.class);

	private RedisTls() {
	}

	/**
	 * Turns TLS on in {@code builder} with the trust and verification of
	 * {@code settings}.
	 * @throws StoreAccessException when the CA file or trust store cannot be read
	 */
	static void configure(DefaultJedisClientConfig.Builder builder, KeeperProperties.Redis.Tls settings) {
		KeeperProperties.Redis.Tls.VerifyMode mode = settings.verifyMode();
		SSLParameters parameters = new SSLParameters();
		if (mode == KeeperProperties.Redis.Tls.VerifyMode.FULL) {
			// without an identification algorithm, Java's TLS accepts a certificate of
			// any host
			parameters.setEndpointIdentificationAlgorithm("HTTPS");
		}
		builder.ssl(true).sslParameters(parameters);
		if (mode == KeeperProperties.Redis.Tls.VerifyMode.NONE) {
			logger.warn("keeper.redis.tls.verify-mode=none: Redis certificates are not checked, "
					+ "anyone on the network path can read and change the traffic");
			builder.sslSocketFactory(socketFactory(new TrustManager[] { new TrustingEveryone() }));
		}
		else if (settings.caFile() != null || settings.trustStore() != null) {
			builder.sslSocketFactory(socketFactory(trustManagers(settings)));
		}
	}

	private static TrustManager[] trustManagers(KeeperProperties.Redis.Tls settings) {
		try {
			KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
			trusted.load(null, null);
			if (settings.trustStore() != null) {
				KeyStore store = load(settings.trustStore(), settings.trustStoreType(), settings.trustStorePassword());
				for (String alias : Collections.list(store.aliases())) {
					Certificate certificate = store.getCertificate(alias);
					if (certificate != null) {
						trusted.setCertificateEntry("store-" + alias, certificate);
					}
				}
			}
			if (settings.caFile() != null) {
				int index = 0;
				for (Certificate certificate : readPem(settings.caFile())) {
					trusted.setCertificateEntry("ca-" + index++, certificate);
				}
			}
			TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
			factory.init(trusted);
			return factory.getTrustManagers();
		}
		catch (GeneralSecurityException | IOException ex) {
			throw new StoreAccessException("cannot set up Redis TLS trust: " + ex.getMessage()
					+ ": check keeper.redis.tls.trust-store and its type");
		}
	}

	private static KeyStore load(Path file, String type, String password) {
		try (InputStream in = Files.newInputStream(file)) {
			KeyStore store = KeyStore.getInstance(type);
			store.load(in, (password != null && !password.isEmpty()) ? password.toCharArray() : null);
			return store;
		}
		catch (IOException | GeneralSecurityException ex) {
			throw new StoreAccessException(
					"cannot read the Redis trust store " + file + " (keeper.redis.tls.trust-store, " + "type " + type
							+ "): " + rootMessage(ex) + ": check the file, its type and its password");
		}
	}

	private static Collection<? extends Certificate> readPem(Path file) {
		try (InputStream in = Files.newInputStream(file)) {
			Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509")
				.generateCertificates(in);
			if (certificates.isEmpty()) {
				throw new StoreAccessException("the Redis CA file " + file
						+ " (keeper.redis.tls.ca-file) holds no certificate: give a PEM file of the CA");
			}
			return certificates;
		}
		catch (IOException | GeneralSecurityException ex) {
			throw new StoreAccessException("cannot read the Redis CA file " + file + " (keeper.redis.tls.ca-file): "
					+ rootMessage(ex) + ": give a readable PEM file of the CA");
		}
	}

	private static SSLSocketFactory socketFactory(TrustManager[] trustManagers) {
		try {
			SSLContext context = SSLContext.getInstance("TLS");
			context.init(null, trustManagers, null);
			return context.getSocketFactory();
		}
		catch (GeneralSecurityException ex) {
			throw new StoreAccessException("cannot set up Redis TLS: " + ex.getMessage());
		}
	}

	private static String rootMessage(Throwable ex) {
		Throwable root = ex;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		return (root.getMessage() != null) ? root.getMessage() : root.getClass().getSimpleName();
	}

	/** Accepts every certificate: {@code verify-mode: none}, set on purpose. */
	private static final class TrustingEveryone implements X509TrustManager {

		@Override
		public void checkClientTrusted(X509Certificate[] chain, String authType) {
		}

		@Override
		public void checkServerTrusted(X509Certificate[] chain, String authType) {
		}

		@Override
		public X509Certificate[] getAcceptedIssuers() {
			return new X509Certificate[0];
		}

	}

}
