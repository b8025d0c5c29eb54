package dev.collapse.redis;

import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.collapse.core.spi.DistributedUnavailableException;

/**
 * Reads the entries of one instance back from Redis: bounded in size, decoded, and the value read
 * by the instance's codec. An entry that cannot be read (too large, malformed, a key of another
 * Redis type) is {@link #CORRUPT}: a miss that the next load overwrites, logged once at WARN
 * without its content.
 */
final class EntryReader {

	private static final Log logger = LogFactory.getLog(EntryReader.class);

	/** Marks an entry that exists but cannot be read. */
	static final Read CORRUPT = new Read(null, null);

	private final RedisDistributedLayer layer;

	private final String name;

	private final RedisValueSerializer.Codec codec;

	private final long maxEntryBytes;

	private final AtomicBoolean corruptLogged = new AtomicBoolean();

	EntryReader(RedisDistributedLayer layer, String name, RedisValueSerializer.Codec codec) {
		this.layer = layer;
		this.name = name;
		this.codec = codec;
		this.maxEntryBytes = layer.settings().maxEntryBytes();
	}

	/** Reads {@code entry}; a key of another type (not written by collapse) is {@link #CORRUPT}, overwritten by the next load. */
	@Nullable Read readEntry(String entry) {
		try {
			return read(this.layer.link().call((commands) -> commands.get(entry)));
		}
		catch (DistributedUnavailableException ex) {
			if (!RedisLink.wrongType(ex.getCause())) {
				throw ex;
			}
			logUnreadable(ex.getCause());
			return CORRUPT;
		}
	}

	/** The entry of {@code text}, {@code null} if there is none, {@link #CORRUPT} if it cannot be read. */
	@Nullable Read read(@Nullable String text) {
		if (text == null) {
			return null;
		}
		try {
			if (!fits(text, this.maxEntryBytes)) {
				throw new IllegalArgumentException("entry larger than collapse.redis.max-entry-size");
			}
			RedisEntry entry = RedisEntry.decode(text);
			// a failure's text is only ever read as text: nothing of it becomes a type
			return new Read(entry, entry.failed() ? null : this.codec.read(entry.value()));
		}
		catch (Exception ex) {
			logUnreadable(ex);
			return CORRUPT;
		}
	}

	private void logUnreadable(Throwable ex) {
		// never the content: it may hold anything
		if (this.corruptLogged.compareAndSet(false, true)) {
			logger.warn("collapse instance '" + this.name + "': an entry in Redis could not be read ("
					+ ex.getClass().getName() + "); it is treated as a miss and overwritten. Further ones are "
					+ "logged at debug level");
		}
		else if (logger.isDebugEnabled()) {
			logger.debug("collapse instance '" + this.name + "': unreadable entry in Redis (" + ex.getClass().getName()
					+ ")");
		}
	}

	/** Whether {@code text} takes at most {@code maxBytes} bytes in UTF-8, counted only when the length cannot tell. */
	static boolean fits(String text, long maxBytes) {
		int length = text.length();
		if (length > maxBytes) {
			return false;
		}
		if (3L * length <= maxBytes) {
			return true;
		}
		long bytes = 0;
		for (int i = 0; i < length; i++) {
			char c = text.charAt(i);
			// a surrogate pair takes 4 bytes, 2 per half; a lone one fewer: never under-counted
			bytes += (c < 0x80) ? 1 : (c < 0x800) ? 2 : Character.isSurrogate(c) ? 2 : 3;
		}
		return bytes <= maxBytes;
	}

	/** An entry and its value, read back; {@code entry} is {@code null} in {@link #CORRUPT} only. */
	record Read(@Nullable RedisEntry entry, @Nullable Object value) {
	}

}
