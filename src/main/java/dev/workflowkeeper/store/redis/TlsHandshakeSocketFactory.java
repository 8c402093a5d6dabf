package dev.workflowkeeper.store.redis;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;

import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;

import redis.clients.jedis.DefaultJedisSocketFactory;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisSocketFactory;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * Jedis's sockets, with the TLS handshake done at once and bounded by the connect timeout
 * ({@code REDIS_SOCKET_CONNECT_TIMEOUT}): Jedis leaves it to the first command, under the
 * socket timeout, so that {@code rediss://} to a plain-text Redis — which waits for the
 * end of a command line that never comes — hung until a read timed out, once per try.
 */
final class TlsHandshakeSocketFactory implements JedisSocketFactory {

	private final DefaultJedisSocketFactory delegate;

	private final int handshakeTimeoutMillis;

	TlsHandshakeSocketFactory(HostAndPort hostAndPort, JedisClientConfig config) {
		this.delegate = new DefaultJedisSocketFactory(hostAndPort, config);
		this.handshakeTimeoutMillis = config.getConnectionTimeoutMillis();
	}

	@Override
	public Socket createSocket() throws JedisConnectionException {
		Socket socket = this.delegate.createSocket();
		if (!(socket instanceof SSLSocket tls)) {
			return socket;
		}
		try {
			int socketTimeout = socket.getSoTimeout();
			socket.setSoTimeout(this.handshakeTimeoutMillis);
			tls.startHandshake();
			socket.setSoTimeout(socketTimeout);
			return socket;
		}
		catch (SocketTimeoutException ex) {
			closeQuietly(socket);
			SSLHandshakeException timeout = new SSLHandshakeException(
					"no answer to the TLS handshake within " + this.handshakeTimeoutMillis + " ms");
			timeout.initCause(ex);
			throw new JedisConnectionException(timeout);
		}
		catch (IOException ex) {
			closeQuietly(socket);
			throw new JedisConnectionException(ex);
		}
	}

	private static void closeQuietly(Socket socket) {
		try {
			socket.close();
		}
		catch (IOException ex) {
			// the handshake's failure is what matters
		}
	}

}
