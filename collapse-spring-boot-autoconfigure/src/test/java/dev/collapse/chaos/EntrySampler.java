package dev.collapse.chaos;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The soak's check of what Redis stores: reads the hot keys' entries straight from Redis every
 * 10 ms and reports a stored version that went down from one read to a later one (a stale
 * overwrite), across expiries, evictions, lease deletions and Redis restarts. Each read takes the
 * instance's generation and the entry of that generation in one script, so that an
 * {@code evictAll} between the two is never seen half-done.
 */
final class EntrySampler {

	/**
	 * KEYS: generation. ARGV: the entry keys' start up to the instance's name and {@code :}, the
	 * encoded key and the closing brace (docs/design.md, Redis protocol, Keys).
	 */
	private static final String READ = """
			local generation = redis.call('GET', KEYS[1])
			if generation and generation ~= '0' then
				return redis.call('GET', ARGV[1] .. generation .. ':' .. ARGV[2])
			end
			return redis.call('GET', ARGV[1] .. ARGV[2])
			""";

	private static final Pattern VERSION = Pattern.compile("\"version\":(\\d+)");

	private final String prefix;

	private final int hotKeys;

	private final IntSupplier port;

	private final Consumer<String> violations;

	private final AtomicLong samples = new AtomicLong();

	private final Map<String, Long> highest = new ConcurrentHashMap<>();

	EntrySampler(String prefix, int hotKeys, IntSupplier port, Consumer<String> violations) {
		this.prefix = prefix;
		this.hotKeys = hotKeys;
		this.port = port;
		this.violations = violations;
	}

	long samples() {
		return this.samples.get();
	}

	/** The highest version read of each hot key. */
	Map<String, Long> highest() {
		return this.highest;
	}

	void run(BooleanSupplier stopped) {
		String instance = this.prefix + "{" + ChaosService.NAME + ":";
		Resp resp = null;
		while (!stopped.getAsBoolean()) {
			try {
				if (resp == null) {
					resp = new Resp(this.port.getAsInt());
				}
				for (int i = 0; i < this.hotKeys; i++) {
					String key = "hot" + i;
					// a plain String key is encoded s<length>:<text> inside the hash tag
					Object stored = resp.call("EVAL", READ, "1", instance + "}:generation", instance,
							"s" + key.length() + ":" + key + "}");
					if (stored instanceof byte[] bytes) {
						sampled(key, new String(bytes, StandardCharsets.UTF_8));
					}
				}
			}
			catch (RuntimeException ex) {
				// Redis is down or paused for a while: read again later
				if (resp != null) {
					resp.close();
				}
				resp = null;
			}
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
		}
		if (resp != null) {
			resp.close();
		}
	}

	private void sampled(String key, String entry) {
		Matcher matcher = VERSION.matcher(entry);
		if (matcher.find()) {
			long now = Long.parseLong(matcher.group(1));
			this.samples.incrementAndGet();
			Long before = this.highest.put(key, Math.max(now, this.highest.getOrDefault(key, 0L)));
			if (before != null && now < before) {
				this.violations.accept("stale overwrite: Redis held version " + now + " of " + key + " after version " + before);
			}
		}
	}

}
