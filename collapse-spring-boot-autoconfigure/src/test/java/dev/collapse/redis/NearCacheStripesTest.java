package dev.collapse.redis;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The striped counters of {@link NearCache}, fed messages in orders of the test's: a copy is kept
 * only if every message heard since its read began said that its version is the entry's current one.
 */
class NearCacheStripesTest {

	private final AtomicInteger drops = new AtomicInteger();

	private boolean healthy = true;

	private final NearCache near = new NearCache(true, () -> this.healthy, this.drops::incrementAndGet);

	private final AtomicInteger stored = new AtomicInteger();

	NearCacheStripesTest() {
		this.near.reassess();
	}

	private boolean keep(NearCache.Stamp stamp, String version) {
		return this.near.keepIfCurrent(stamp, version, this.stored::incrementAndGet);
	}

	@Test
	void noMessageSinceTheReadKeepsTheCopy() {
		NearCache.Stamp stamp = this.near.stamp("p:1");
		assertThat(keep(stamp, "n:2")).isTrue();
		assertThat(this.stored).hasValue(1);
	}

	@Test
	void theCompletionOfTheVersionReadItselfKeepsTheCopyEvenDuplicated() {
		NearCache.Stamp stamp = this.near.stamp("p:1");
		this.near.completed("p:1", "n:2");
		this.near.completed("p:1", "n:2");
		assertThat(keep(stamp, "n:2")).isTrue();
	}

	@Test
	void aCompletionOfAnotherVersionRefusesTheCopyWhateverComesAfter() {
		NearCache.Stamp stamp = this.near.stamp("p:1");
		// reordered: an older load's completion heard after the read of the newer entry began
		this.near.completed("p:1", "n:1");
		this.near.completed("p:1", "n:2");
		assertThat(keep(stamp, "n:2")).isFalse();
		NearCache.Stamp later = this.near.stamp("p:1");
		this.near.completed("p:1", "n:2");
		this.near.completed("p:1", "n:3");
		assertThat(keep(later, "n:2")).isFalse();
		assertThat(this.stored).hasValue(0);
	}

	@Test
	void anEvictionOrAFailureRefusesTheCopyEvenBetweenCompletionsOfItsVersion() {
		NearCache.Stamp stamp = this.near.stamp("p:1");
		this.near.completed("p:1", "n:2");
		this.near.touch("p:1");
		this.near.completed("p:1", "n:2");
		assertThat(keep(stamp, "n:2")).isFalse();
	}

	@Test
	void aMessageAboutAnotherEntryOfTheStripeRefusesTheCopy() {
		// "Aa" and "BB" have one hash code: one stripe
		NearCache.Stamp stamp = this.near.stamp("p:Aa");
		this.near.completed("p:BB", "n:2");
		assertThat(keep(stamp, "n:2")).isFalse();
	}

	@Test
	void lostTrustRefusesReadsThatBeganBeforeAndDropsEveryCopy() {
		NearCache.Stamp stamp = this.near.stamp("p:1");
		this.healthy = false;
		this.near.reassess();
		assertThat(this.near.trusted()).isFalse();
		assertThat(this.near.stamp("p:1")).isNull();
		this.healthy = true;
		this.near.reassess();
		assertThat(this.near.trusted()).isTrue();
		assertThat(keep(stamp, "n:2")).as("a read that began before the loss").isFalse();
		assertThat(this.drops.get()).isEqualTo(3);
	}

	@Test
	void offItNeverTrustsCopies() {
		NearCache off = new NearCache(false, () -> true, this.drops::incrementAndGet);
		off.reassess();
		assertThat(off.trusted()).isFalse();
		assertThat(off.stamp("p:1")).isNull();
	}

}
