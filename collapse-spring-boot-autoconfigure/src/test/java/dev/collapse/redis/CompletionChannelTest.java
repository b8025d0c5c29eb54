package dev.collapse.redis;

import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The waiters of one node and what wakes them, without Redis: messages are handed in as Lettuce would. */
class CompletionChannelTest {

	private static final String TOKEN = "node:7";

	private final CompletionChannel channel = new CompletionChannel("app:completions", (message) -> { }, () -> { }, () -> { });

	private void publish(String message) {
		this.channel.listener().message(this.channel.name(), message);
	}

	@Test
	void aMessageWakesTheWaiterOfItsKeyOnlyAndRemovesIt() {
		CompletableFuture<Signal> one = this.channel.register("k1");
		CompletableFuture<Signal> two = this.channel.register("k2");
		publish(CompletionMessage.encode(true, TOKEN, "k1", false));
		assertThat(one).isCompletedWithValue(new Signal(Signal.Kind.SUCCESS, TOKEN, null));
		assertThat(two).isNotDone();
		assertThat(this.channel.waiting()).isEqualTo(1);
	}

	@Test
	void aMessageCarryingTheEntryHandsItToTheWaiter() {
		CompletableFuture<Signal> waiter = this.channel.register("k1");
		publish(CompletionMessage.encode(true, TOKEN, "k1", true) + "c1;entry");
		assertThat(waiter).isCompletedWithValue(new Signal(Signal.Kind.SUCCESS, TOKEN, "c1;entry"));
	}

	@Test
	void aFailureMessageTellsTheWaiterToContend() {
		CompletableFuture<Signal> waiter = this.channel.register("k1");
		publish(CompletionMessage.encode(false, TOKEN, "k1", false));
		assertThat(waiter).isCompletedWithValue(new Signal(Signal.Kind.FAILURE, TOKEN, null));
	}

	@Test
	void callersWaitingForOneKeyShareOneWaiter() {
		CompletableFuture<Signal> first = this.channel.register("k1");
		assertThat(this.channel.register("k1")).isSameAs(first);
		assertThat(this.channel.waiting()).isEqualTo(1);
	}

	/**
	 * Regression: two callers of one node waiting for one key shared a waiter, and the first one
	 * to stop waiting removed it: the other never heard the completion and waited out the lease.
	 */
	@Test
	void aCallerThatStopsWaitingLeavesTheWaiterToTheOthersOfItsKey() {
		CompletableFuture<Signal> first = this.channel.register("k1");
		CompletableFuture<Signal> second = this.channel.register("k1");
		this.channel.unregister("k1", first);
		publish(CompletionMessage.encode(true, "node:7", "k1", false));
		assertThat(second).isCompletedWithValue(new Signal(Signal.Kind.SUCCESS, "node:7", null));
		assertThat(this.channel.waiting()).isZero();
	}

	@Test
	void aMalformedMessageWakesNobody() {
		CompletableFuture<Signal> waiter = this.channel.register("k1");
		publish("Qnode:7\nk1");
		publish("Enode:7\n9\nk1");
		publish("k1");
		assertThat(waiter).isNotDone();
		assertThat(this.channel.waiting()).isEqualTo(1);
	}

	@Test
	void aMessageForAKeyNobodyWaitsForIsDropped() {
		publish(CompletionMessage.encode(true, TOKEN, "k1", false));
		CompletableFuture<Signal> later = this.channel.register("k1");
		assertThat(later).isNotDone();
	}

	@Test
	void unregisterRemovesOnlyTheSameWaiter() {
		CompletableFuture<Signal> stale = this.channel.register("k1");
		publish(CompletionMessage.encode(true, TOKEN, "k1", false));
		CompletableFuture<Signal> current = this.channel.register("k1");
		// the first caller leaves late: the next caller's waiter stays
		this.channel.unregister("k1", stale);
		assertThat(this.channel.waiting()).isEqualTo(1);
		this.channel.unregister("k1", current);
		assertThat(this.channel.waiting()).isZero();
	}

	@Test
	void wakeAllTellsEveryWaiterToReadAgain() {
		CompletableFuture<Signal> one = this.channel.register("k1");
		CompletableFuture<Signal> two = this.channel.register("k2");
		this.channel.wakeAll();
		assertThat(one).isCompletedWithValue(Signal.RECHECK);
		assertThat(two).isCompletedWithValue(Signal.RECHECK);
		assertThat(this.channel.waiting()).isZero();
	}

	@Test
	void aConfirmedSubscriptionWakesEveryWaiterSinceMessagesMayHaveBeenLost() {
		CompletableFuture<Signal> waiter = this.channel.register("k1");
		this.channel.listener().subscribed(this.channel.name(), 1);
		assertThat(this.channel.subscribed()).isTrue();
		assertThat(waiter).isCompletedWithValue(Signal.RECHECK);
	}

	@Test
	void aDroppedConnectionOrAClosedSubscriptionIsNotSubscribed() {
		this.channel.listener().subscribed(this.channel.name(), 1);
		this.channel.connectionState().onRedisDisconnected(null);
		assertThat(this.channel.subscribed()).isFalse();
		this.channel.listener().subscribed(this.channel.name(), 1);
		this.channel.subscriptionClosed();
		assertThat(this.channel.subscribed()).isFalse();
	}

}
