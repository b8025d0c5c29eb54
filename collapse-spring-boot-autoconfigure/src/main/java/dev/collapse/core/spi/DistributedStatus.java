package dev.collapse.core.spi;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * State of the distributed layer (Redis), for the actuator endpoint and the health contributor.
 * Implemented by the Redis layer; absent when it is off. Read from any thread; each method answers
 * from state already held, without a round trip to the server, and never throws.
 */
public interface DistributedStatus {

	/** Whether the distributed layer answers now; when false calls are collapsed locally. */
	boolean available();

	/** When the current fallback began, or {@code null} while the layer is available. */
	@Nullable Instant fallbackSince();

	/** A short description for operators (server, last error class); never a key or a value. */
	String detail();

}
