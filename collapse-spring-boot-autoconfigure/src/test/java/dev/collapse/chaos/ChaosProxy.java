package dev.collapse.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy between the applications and Redis, for fault injection: each chunk of bytes, in
 * either direction, is held for a jittered latency, and {@link #cutAll} closes every connection
 * at once, as a broken network would, and {@link #stallSubscriptions} makes the Pub/Sub
 * connections swallow every byte both ways without closing, as a NAT or a load balancer that
 * dropped an idle socket without a reset does. Plain sockets and two threads per connection.
 */
public final class ChaosProxy implements AutoCloseable {

	private final ServerSocket server;

	private final int target;

	private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

	/** Latency per chunk: a uniform pick in [min, max] microseconds. */
	private volatile long minLatencyMicros;

	private volatile long maxLatencyMicros;

	private final AtomicLong cuts = new AtomicLong();

	/** Open connections: a client socket and its Redis socket. */
	private final Set<Connection> connections = ConcurrentHashMap.newKeySet();

	/** Whether connections that subscribe (now, or from now on) are stalled. */
	private volatile boolean stalling;

	private static final byte[] SUBSCRIBE = "SUBSCRIBE".getBytes(StandardCharsets.US_ASCII);

	private volatile boolean closed;

	public ChaosProxy(int target) throws IOException {
		this.target = target;
		this.server = new ServerSocket();
		this.server.bind(new InetSocketAddress("127.0.0.1", 0));
		Thread acceptor = new Thread(this::accept, "chaos-proxy-accept");
		acceptor.setDaemon(true);
		acceptor.start();
	}

	public int port() {
		return this.server.getLocalPort();
	}

	/** Every chunk waits a uniform pick in [min, max] before it is forwarded. */
	public void latency(long minMicros, long maxMicros) {
		this.minLatencyMicros = minMicros;
		this.maxLatencyMicros = maxMicros;
	}

	/** Closes every open connection, both sides. */
	public void cutAll() {
		this.cuts.incrementAndGet();
		for (Socket socket : this.sockets) {
			closeQuietly(socket);
		}
	}

	/**
	 * While {@code on}, every connection that has sent a {@code SUBSCRIBE}, or sends one, silently
	 * drops every byte both ways and stays open. Turned off, new subscriptions pass again; the
	 * stalled ones stay stalled, as a dropped NAT mapping does.
	 */
	public void stallSubscriptions(boolean on) {
		this.stalling = on;
		if (on) {
			for (Connection connection : this.connections) {
				if (connection.subscriber) {
					connection.stalled = true;
				}
			}
		}
	}

	public long cuts() {
		return this.cuts.get();
	}

	/** Open connections, client side and Redis side counted apart. */
	public int openSockets() {
		return this.sockets.size();
	}

	private void accept() {
		while (!this.closed) {
			try {
				Socket client = this.server.accept();
				Socket redis;
				try {
					redis = new Socket();
					redis.connect(new InetSocketAddress("127.0.0.1", this.target), 1000);
				}
				catch (IOException ex) {
					// Redis is down: the client sees its connection refused, as closely as a proxy can
					closeQuietly(client);
					continue;
				}
				client.setTcpNoDelay(true);
				redis.setTcpNoDelay(true);
				this.sockets.add(client);
				this.sockets.add(redis);
				Connection connection = new Connection();
				this.connections.add(connection);
				pump(client, redis, "up", connection);
				pump(redis, client, "down", connection);
			}
			catch (IOException ex) {
				if (this.closed) {
					return;
				}
			}
		}
	}

	private void pump(Socket from, Socket to, String direction, Connection connection) {
		Thread thread = new Thread(() -> {
			byte[] buffer = new byte[16 * 1024];
			try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
				int read;
				while ((read = in.read(buffer)) >= 0) {
					if (direction.equals("up") && !connection.subscriber && contains(buffer, read, SUBSCRIBE)) {
						connection.subscriber = true;
						if (this.stalling) {
							connection.stalled = true;
						}
					}
					if (connection.stalled) {
						// swallowed: read and dropped, the socket stays open and silent
						continue;
					}
					long max = this.maxLatencyMicros;
					if (max > 0) {
						long min = this.minLatencyMicros;
						TimeUnit.MICROSECONDS.sleep(min + ThreadLocalRandom.current().nextLong(Math.max(1, max - min + 1)));
					}
					out.write(buffer, 0, read);
					out.flush();
				}
			}
			catch (IOException | InterruptedException ex) {
				// cut, or closed by the other side
			}
			finally {
				this.connections.remove(connection);
				closeQuietly(from);
				closeQuietly(to);
			}
		}, "chaos-proxy-" + direction);
		thread.setDaemon(true);
		thread.start();
	}

	private static boolean contains(byte[] buffer, int length, byte[] word) {
		for (int start = 0; start + word.length <= length; start++) {
			int i = 0;
			while (i < word.length && buffer[start + i] == word[i]) {
				i++;
			}
			if (i == word.length) {
				return true;
			}
		}
		return false;
	}

	/** What one proxied connection does: whether it subscribed, and whether it is stalled now. */
	private static final class Connection {

		volatile boolean subscriber;

		volatile boolean stalled;

	}

	private void closeQuietly(Socket socket) {
		this.sockets.remove(socket);
		try {
			socket.close();
		}
		catch (IOException ex) {
			// closing anyway
		}
	}

	@Override
	public void close() {
		this.closed = true;
		try {
			this.server.close();
		}
		catch (IOException ex) {
			// closing anyway
		}
		cutAll();
	}

}
