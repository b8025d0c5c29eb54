package dev.collapse.redis;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.RedisPubSubListener;
import org.jspecify.annotations.Nullable;

/**
 * The completion channel of one node: the waiters of the entry keys that another node loads, and
 * what wakes them: a {@link CompletionMessage} for their key, or anything after which a message
 * may have been missed (a new subscription, Redis going away, a stalled subscription), which
 * wakes every one; {@link Subscription} also wakes every one every 250 ms while no subscription
 * is confirmed.
 *
 * <p>Threads: {@link #deliver} and {@link #subscriptionConfirmed} run on Lettuce's I/O threads, so they only
 * complete futures; the woken callers do the rest on their own threads.
 */
final class CompletionChannel {

	private final String name;

	/**
	 * The waiter of each entry key that callers of this node wait for. Added by the first of them,
	 * removed by whoever completes it (a message, a wake-up) or by the last of them when it stops
	 * waiting; a waiter is completed at most once, after its removal.
	 */
	private final Map<String, Waiter> waiters = new ConcurrentHashMap<>();

	/** Whether the subscription is confirmed now: set by its confirmation, reset when its connection drops. */
	private volatile boolean subscribed;

	private final RedisPubSubListener<String, String> listener = new RedisPubSubAdapter<>() {

		@Override
		public void message(String channel, String message) {
			deliver(message);
		}

		@Override
		public void subscribed(String channel, long count) {
			subscriptionConfirmed();
		}

	};

	/** Messages published while the subscription is down are lost; its next confirmation wakes every waiter. */
	private final RedisConnectionStateListener connectionState = new RedisConnectionStateListener() {

		@Override
		public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
			CompletionChannel.this.subscribed = false;
			CompletionChannel.this.lost.run();
		}

	};

	/** Hears every message (completions and evictions), on an I/O thread; quick, never blocking. */
	private final Consumer<CompletionMessage> messages;

	/** Hears every confirmation of the subscription, on an I/O thread; quick, never blocking. */
	private final Runnable resubscribed;

	/** Hears the end of a confirmed subscription (a drop, a stall, a close); quick, never blocking. */
	private final Runnable lost;

	/**
	 * @param name the Pub/Sub channel of the key prefix
	 * @param messages what to do with a message, besides waking the waiter of its key
	 * @param resubscribed what to do when messages may have been lost
	 * @param lost what to do when messages may be lost from now on
	 */
	CompletionChannel(String name, Consumer<CompletionMessage> messages, Runnable resubscribed, Runnable lost) {
		this.name = name;
		this.messages = messages;
		this.resubscribed = resubscribed;
		this.lost = lost;
	}

	String name() {
		return this.name;
	}

	/** Hears the subscription's messages and confirmations. */
	RedisPubSubListener<String, String> listener() {
		return this.listener;
	}

	/** Hears the subscription's connection drop. */
	RedisConnectionStateListener connectionState() {
		return this.connectionState;
	}

	boolean subscribed() {
		return this.subscribed;
	}

	/** Keys that callers of this node wait for now. */
	int waiting() {
		return this.waiters.size();
	}

	/**
	 * Registers a waiter for {@code entryKey}, or returns the one registered already; the caller
	 * re-reads the entry after this, since the completion may have come before.
	 */
	CompletableFuture<Signal> register(String entryKey) {
		// two callers of one node may wait for one key (a flight detached by an eviction, and the
		// new one): they share the waiter, which stays until the last of them leaves
		return this.waiters.compute(entryKey, (key, existing) -> ((existing != null) ? existing : new Waiter()).join())
			.future;
	}

	/** One caller stops waiting on {@code waiter}; it is removed when it was the last one. */
	void unregister(String entryKey, CompletableFuture<Signal> waiter) {
		this.waiters.computeIfPresent(entryKey, (key, existing) -> (existing.future != waiter) ? existing : existing.leave());
	}

	/** Wakes the waiter of the key that {@code message} names; a message that does not parse wakes nobody. */
	void deliver(String message) {
		CompletionMessage completion = CompletionMessage.decode(message);
		if (completion == null) {
			return;
		}
		this.messages.accept(completion);
		if (completion.signal().kind() == Signal.Kind.EVICTED_ALL) {
			return;
		}
		Waiter waiter = this.waiters.remove(completion.entryKey());
		if (waiter != null) {
			waiter.future.complete(completion.signal());
		}
	}

	/** The subscription is confirmed, maybe after a reconnect: completions published in the gap were lost. */
	void subscriptionConfirmed() {
		this.subscribed = true;
		this.resubscribed.run();
		wakeAll();
	}

	/** The subscription is closed on purpose. */
	void subscriptionClosed() {
		this.subscribed = false;
		this.lost.run();
	}

	/** Every waiter re-reads its entry: messages may have been lost, or Redis went away. */
	void wakeAll() {
		for (String entryKey : this.waiters.keySet()) {
			Waiter waiter = this.waiters.remove(entryKey);
			if (waiter != null) {
				waiter.future.complete(Signal.RECHECK);
			}
		}
	}

	/** The waiter of one entry key, and how many callers of this node wait on it. */
	private static final class Waiter {

		final CompletableFuture<Signal> future = new CompletableFuture<>();

		/** Written only inside the map's compute, under its bin lock. */
		private int callers;

		Waiter join() {
			this.callers++;
			return this;
		}

		@Nullable Waiter leave() {
			return (--this.callers == 0) ? null : this;
		}

	}

}
