package dev.collapse.redis;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.collapse.core.CallResult;
import dev.collapse.core.Collapser;
import dev.collapse.redis.FaithfulKeysTest.TenantKey;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Invariant 13 across two nodes on one Redis (issue 14): a key the fleet cannot tell apart from
 * another is never shared through Redis; it is collapsed in its JVM, and counted as a fallback.
 */
@ExtendWith(OutputCaptureExtension.class)
class FleetKeysTest {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.standalone();

	static Fleet fleet;

	@BeforeAll
	static void startFleet() {
		fleet = Fleet.start(2, redis, new Upstream(), "collapse.redis.lease=10s", "collapse.redis.command-timeout=2s",
				"collapse.defaults.ttl=1m");
	}

	@AfterAll
	static void stopFleet() {
		if (fleet != null) {
			fleet.close();
		}
	}

	/**
	 * A key Jackson cannot write (a property that refers to itself): every call failed. Its secret,
	 * which has no getter, is its state, and is never to be logged.
	 */
	static final class Unwritable {

		private final String secret;

		Unwritable(String secret) {
			this.secret = secret;
		}

		public Unwritable getSelf() {
			return this;
		}

		@Override
		public boolean equals(Object other) {
			return other instanceof Unwritable that && this.secret.equals(that.secret);
		}

		@Override
		public int hashCode() {
			return Objects.hash(this.secret);
		}

	}

	private static Collapser collapser(int node) {
		return fleet.nodes.get(node).getBean(Collapser.class);
	}

	private static String call(int node, String name, Object key, String value) {
		return collapser(node).collapse(name, key, String.class, () -> value);
	}

	@Test
	void aTenantScopedKeyWithoutAGetterForItsTenantNeverServesAnotherTenant() {
		long fallbacks = fleet.events(1, "fallback");
		assertThat(call(0, "tenants", new TenantScoped("t1", 42), "value of t1")).isEqualTo("value of t1");
		assertThat(call(1, "tenants", new TenantScoped("t2", 42), "value of t2")).isEqualTo("value of t2");
		assertThat(fleet.events(1, "fallback") - fallbacks).as("collapsed in its JVM, counted").isEqualTo(1);
	}

	@Test
	void aKeyJacksonCannotWriteIsCollapsedInItsJvmLoggedOnceWithoutItsContent(CapturedOutput output) {
		long fallbacks = fleet.events(0, "fallback");
		long fallbackCalls = fleet.calls(0, CallResult.FALLBACK);
		assertThat(call(0, "unwritable", new Unwritable("s3cr3t-1"), "one")).isEqualTo("one");
		assertThat(call(0, "unwritable", new Unwritable("s3cr3t-2"), "two")).isEqualTo("two");
		assertThat(fleet.events(0, "fallback") - fallbacks).isEqualTo(2);
		assertThat(fleet.calls(0, CallResult.FALLBACK) - fallbackCalls).isEqualTo(2);
		String log = output.getAll();
		assertThat(log.split("cannot be shared with the fleet", -1)).as("logged once").hasSize(2);
		assertThat(log).contains("'unwritable'", Unwritable.class.getName()).doesNotContain("s3cr3t");
		// stored in its JVM: the next call is a local hit
		assertThat(call(0, "unwritable", new Unwritable("s3cr3t-1"), "again")).isEqualTo("one");
		collapser(0).evict("unwritable", new Unwritable("s3cr3t-1"));
		assertThat(call(0, "unwritable", new Unwritable("s3cr3t-1"), "after evict")).isEqualTo("after evict");
	}

	@Test
	void anAsynchronousCallOfAKeyJacksonCannotWriteIsCollapsedInItsJvmToo() throws Exception {
		long fallbacks = fleet.events(1, "fallback");
		CompletableFuture<String> call = collapser(1).collapseAsync("unwritable-async", new Unwritable("s3cr3t-3"),
				String.class, () -> CompletableFuture.completedFuture("async"));
		assertThat(call.get(30, TimeUnit.SECONDS)).isEqualTo("async");
		assertThat(fleet.events(1, "fallback") - fallbacks).isEqualTo(1);
	}

	@Test
	void recordsAndListsAreSharedByEveryComponentAndElementType() {
		assertThat(call(0, "records", new TenantKey("t1", 7), "t1 from node0")).isEqualTo("t1 from node0");
		assertThat(call(1, "records", new TenantKey("t1", 7), "t1 from node1")).isEqualTo("t1 from node0");
		assertThat(call(1, "records", new TenantKey("t2", 7), "t2 from node1")).isEqualTo("t2 from node1");
		assertThat(call(0, "id-lists", List.of(1), "ints from node0")).isEqualTo("ints from node0");
		assertThat(call(1, "id-lists", List.of(1L), "longs from node1")).isEqualTo("longs from node1");
		assertThat(call(1, "id-lists", java.util.Arrays.asList(1), "ints from node1")).isEqualTo("ints from node0");
	}

}
