package dev.collapse.chaos;

import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * The evictions of every node of the soak and the leases lost, with their moments
 * ({@link System#nanoTime()}, one clock for the machine's processes): what an eviction explains.
 * It detaches the load in flight of its key, which runs to its end while the next caller loads
 * again, and deletes its lease, so that the load counts a lost lease when it ends
 * (docs/design.md, Evictions). Neither is a fault, and neither may excuse anything else.
 */
final class EvictionMoments {

	/**
	 * How long after an eviction returned a load whose lease it deleted may still be seen: begin
	 * (the lease was taken before the eviction, the load's thread ran a little later) or end and
	 * count a lost lease (a load takes 5 to 30 ms). The machine is loaded.
	 */
	static final Duration TAIL = Duration.ofMillis(100);

	/** An eviction of {@code key} ({@code *}: every key) by one node, from its start until it returned. */
	record Eviction(String key, long start, long end) {

		boolean evicts(String other) {
			return this.key.equals(other) || this.key.equals("*");
		}

	}

	/** A lease lost by a leader of {@code key} ({@code ?}: not known) at {@code nanos}. */
	record LeaseLoss(String key, long nanos) {
	}

	private final Queue<Eviction> evictions = new ConcurrentLinkedQueue<>();

	private final Queue<LeaseLoss> leaseLosses = new ConcurrentLinkedQueue<>();

	void evicted(String key, long start, long end) {
		this.evictions.add(new Eviction(key, start, end));
	}

	void leaseLost(String key, long nanos) {
		this.leaseLosses.add(new LeaseLoss(key, nanos));
	}

	/**
	 * Whether an eviction of the overlap's key came between the start of the load already running
	 * and the start of the one that joined it. The first may begin up to {@link #TAIL} after the
	 * eviction returned, if it took its lease before.
	 */
	boolean explain(ChaosUpstream.Overlap overlap) {
		return this.evictions.stream()
			.anyMatch((eviction) -> eviction.evicts(overlap.key()) && overlap.previousStart() < eviction.end() + TAIL.toNanos()
					&& overlap.nanos() > eviction.start());
	}

	/** The last eviction of the overlap's key that began before it, for a violation's text. */
	String lastBefore(ChaosUpstream.Overlap overlap) {
		Eviction last = null;
		for (Eviction eviction : this.evictions) {
			if (eviction.evicts(overlap.key()) && eviction.start() < overlap.nanos()
					&& (last == null || eviction.start() > last.start())) {
				last = eviction;
			}
		}
		return (last == null) ? "" : "; the last eviction of the key before it, " + last.key() + ", ran from "
				+ TimeUnit.NANOSECONDS.toMillis(overlap.nanos() - last.start()) + " to "
				+ TimeUnit.NANOSECONDS.toMillis(overlap.nanos() - last.end()) + " ms before it";
	}

	int leaseLossCount() {
		return this.leaseLosses.size();
	}

	/**
	 * The moments of the lease losses that an eviction of their key caused (the loss within
	 * {@link #TAIL} after it returned), or of the others: only those explain overlapping loads.
	 */
	List<Long> leaseLosses(boolean byEviction) {
		return this.leaseLosses.stream().filter((loss) -> byEviction(loss) == byEviction).map(LeaseLoss::nanos).toList();
	}

	private boolean byEviction(LeaseLoss loss) {
		return this.evictions.stream()
			.anyMatch((eviction) -> eviction.evicts(loss.key()) && loss.nanos() >= eviction.start()
					&& loss.nanos() <= eviction.end() + TAIL.toNanos());
	}

}
