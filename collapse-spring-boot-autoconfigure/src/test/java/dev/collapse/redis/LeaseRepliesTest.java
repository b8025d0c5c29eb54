package dev.collapse.redis;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/** The replies of the lease scripts, decoded as the scripts write them. */
class LeaseRepliesTest {

	@Test
	void aFreshEntryComesWithTheEntry() {
		assertThat(LeaseReply.decode(List.of(1L, "c1;entry")))
			.isEqualTo(new LeaseReply(LeaseReply.Kind.FRESH_ENTRY, "c1;entry", null, 0));
	}

	@Test
	void aTakenLeaseComesAlone() {
		assertThat(LeaseReply.decode(List.of(2L))).isEqualTo(new LeaseReply(LeaseReply.Kind.TAKEN, null, null, 0));
	}

	@Test
	void aHeldLeaseNamesItsHolderAndItsRemainingTime() {
		assertThat(LeaseReply.decode(List.of(3L, "node:9", 1500L)))
			.isEqualTo(new LeaseReply(LeaseReply.Kind.HELD, null, "node:9", 1500));
	}

	@Test
	void eachKindHasTheCodeTheScriptWrites() {
		// the numbers of RedisScripts.ACQUIRE's returns: {1, entry}, {2}, {3, holder, pttl}
		assertThat(RedisScripts.ACQUIRE).contains("return {1, entry}", "return {2}", "return {3, holder or ''");
		assertThat(LeaseReply.Kind.FRESH_ENTRY.code).isEqualTo(1);
		assertThat(LeaseReply.Kind.TAKEN.code).isEqualTo(2);
		assertThat(LeaseReply.Kind.HELD.code).isEqualTo(3);
	}

	@Test
	void anUnknownLeaseReplyIsRefused() {
		assertThatIllegalStateException().isThrownBy(() -> LeaseReply.decode(List.of(4L)));
		assertThatIllegalStateException().isThrownBy(() -> LeaseReply.decode(List.of()));
	}

	@Test
	void fencedScriptsSayWhetherTheTokenStillHeldTheLease() {
		assertThat(FencedReply.decode(1L)).isEqualTo(FencedReply.APPLIED);
		assertThat(FencedReply.decode(0L)).isEqualTo(FencedReply.NOT_HOLDER);
		assertThat(RedisScripts.RENEW).contains("return 0");
		assertThat(RedisScripts.COMPLETE).contains("return 0", "return 1");
	}

	@Test
	void anUnknownFencedReplyIsRefused() {
		assertThatIllegalStateException().isThrownBy(() -> FencedReply.decode(2L));
		assertThatIllegalStateException().isThrownBy(() -> FencedReply.decode(null));
	}

}
