package dev.collapse.chaos;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal RESP2 client over a plain socket, for tests that must send or read raw bytes (garbage
 * entries, keys with NUL bytes) or run admin commands without starting a {@code redis-cli} process.
 * Replies: simple strings as {@link String}, errors as {@link Error}, integers as {@link Long},
 * bulk strings as {@code byte[]} (or {@code null}), arrays as {@link List}.
 */
public final class Resp implements AutoCloseable {

	/** An error reply, such as {@code NOPERM ...}. */
	public record Error(String message) {
	}

	private final Socket socket;

	private final InputStream in;

	private final OutputStream out;

	public Resp(int port) {
		try {
			this.socket = new Socket();
			this.socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
			this.socket.setSoTimeout(10_000);
			this.in = new BufferedInputStream(this.socket.getInputStream());
			this.out = this.socket.getOutputStream();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Runs one command whose arguments are text or bytes, and returns its reply. */
	public Object call(Object... args) {
		try {
			ByteArrayOutputStream command = new ByteArrayOutputStream();
			command.write(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
			for (Object arg : args) {
				byte[] bytes = (arg instanceof byte[] raw) ? raw : arg.toString().getBytes(StandardCharsets.UTF_8);
				command.write(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
				command.write(bytes);
				command.write("\r\n".getBytes(StandardCharsets.US_ASCII));
			}
			this.out.write(command.toByteArray());
			this.out.flush();
			return read();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** The reply as text (bulk strings decoded as UTF-8, errors as their message). */
	public String text(Object... args) {
		return text(call(args));
	}

	public static String text(Object reply) {
		if (reply instanceof byte[] bytes) {
			return new String(bytes, StandardCharsets.UTF_8);
		}
		if (reply instanceof Error error) {
			return error.message();
		}
		return String.valueOf(reply);
	}

	public long number(Object... args) {
		Object reply = call(args);
		if (reply instanceof Long value) {
			return value;
		}
		throw new IllegalStateException("not an integer reply: " + text(reply));
	}

	/** Every key matching {@code pattern}, by SCAN, as raw bytes. */
	@SuppressWarnings("unchecked")
	public List<byte[]> scan(String pattern) {
		List<byte[]> keys = new ArrayList<>();
		String cursor = "0";
		do {
			List<Object> reply = (List<Object>) call("SCAN", cursor, "MATCH", pattern, "COUNT", "1000");
			cursor = text(reply.get(0));
			for (Object key : (List<Object>) reply.get(1)) {
				keys.add((byte[]) key);
			}
		}
		while (!cursor.equals("0"));
		return keys;
	}

	private Object read() throws IOException {
		int type = this.in.read();
		String line = line();
		return switch (type) {
			case '+' -> line;
			case '-' -> new Error(line);
			case ':' -> Long.parseLong(line);
			case '$' -> {
				int length = Integer.parseInt(line);
				if (length < 0) {
					yield null;
				}
				byte[] bytes = this.in.readNBytes(length);
				this.in.readNBytes(2);
				yield bytes;
			}
			case '*' -> {
				int count = Integer.parseInt(line);
				if (count < 0) {
					yield null;
				}
				List<Object> items = new ArrayList<>(count);
				for (int i = 0; i < count; i++) {
					items.add(read());
				}
				yield items;
			}
			default -> throw new IOException("unexpected reply type " + type);
		};
	}

	private String line() throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		int c;
		while ((c = this.in.read()) != '\r') {
			if (c < 0) {
				throw new IOException("connection closed");
			}
			bytes.write(c);
		}
		this.in.read();
		return bytes.toString(StandardCharsets.UTF_8);
	}

	@Override
	public void close() {
		try {
			this.socket.close();
		}
		catch (IOException ex) {
			// closing anyway
		}
	}

}
