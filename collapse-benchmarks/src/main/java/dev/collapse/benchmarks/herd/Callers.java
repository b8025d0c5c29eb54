package dev.collapse.benchmarks.herd;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads a herd's callers run on: one virtual thread per caller on JDK 21+, else a fixed pool
 * of platform threads. The code is compiled with {@code --release 17}, so the JDK 21 factory is
 * found through a method handle, never named in the source.
 */
final class Callers {

	/** Stack of a platform caller: the call is shallow, and 10,000 default 1 MB stacks are a lot to map. */
	private static final long PLATFORM_STACK_BYTES = 512 * 1024;

	private final boolean virtual;

	private final int platformCap;

	/**
	 * @param preferVirtual whether to use virtual threads when the JDK has them
	 * @param platformCap most platform threads in the pool; a herd larger than this comes in waves
	 */
	Callers(boolean preferVirtual, int platformCap) {
		this.virtual = preferVirtual && Runtime.version().feature() >= 21;
		this.platformCap = platformCap;
	}

	boolean virtual() {
		return this.virtual;
	}

	/** How many of {@code callers} run at the same time: all of them, unless the platform pool is smaller. */
	int concurrent(int callers) {
		return this.virtual ? callers : Math.min(callers, this.platformCap);
	}

	/** How the callers run, for the report. */
	String describe(int callers) {
		return this.virtual ? "virtual threads (one per caller)"
				: "platform threads (fixed pool of " + concurrent(callers) + ")";
	}

	ExecutorService executor(int callers) {
		if (this.virtual) {
			return virtualThreadPerTask();
		}
		AtomicInteger count = new AtomicInteger();
		ThreadFactory factory = (task) -> {
			Thread thread = new Thread(null, task, "herd-caller-" + count.incrementAndGet(), PLATFORM_STACK_BYTES);
			thread.setDaemon(true);
			return thread;
		};
		return Executors.newFixedThreadPool(concurrent(callers), factory);
	}

	private static ExecutorService virtualThreadPerTask() {
		try {
			MethodHandle factory = MethodHandles.publicLookup()
				.findStatic(Executors.class, "newVirtualThreadPerTaskExecutor", MethodType.methodType(ExecutorService.class));
			return (ExecutorService) factory.invokeExact();
		}
		catch (Throwable ex) {
			throw new IllegalStateException("JDK " + Runtime.version() + " has no virtual threads", ex);
		}
	}

}
