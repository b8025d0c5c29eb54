package dev.collapse.redis;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.time.Period;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.collapse.core.CompositeKeys;
import dev.collapse.core.NullKey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** The key encoding alone: injective, brace-safe, bounded. */
class RedisKeysTest {

	private final RedisKeys keys = new RedisKeys("app:", new KeyEncoding(List.of()));

	record Tenanted(String tenant, List<?> ids) {
	}

	private String entry(String name, Object key) {
		return this.keys.entry(this.keys.instancePrefix(name), key);
	}

	@Test
	void keysThatEqualsTellApartReachDifferentRedisKeys() {
		List<Object> distinct = List.of("1", 1L, 1, (short) 1, (byte) 1, 1.0d, 1.0f, BigDecimal.ONE, true, '1',
				NullKey.INSTANCE, CompositeKeys.of("a:b", "c"), CompositeKeys.of("a", "b:c"), CompositeKeys.of("a", null),
				CompositeKeys.of(null, "a"), CompositeKeys.of("ab"), CompositeKeys.of("a", "b"),
				CompositeKeys.of(new Object[] { "a", "b" }, "c"), CompositeKeys.of("a", new Object[] { "b", "c" }),
				CompositeKeys.of(), "", "s1:x", "{", "}", "\\", "\\(", "(", UUID.fromString("00000000-0000-0000-0000-000000000001"),
				new Product(1, "one"), Thread.State.NEW, List.of(1), List.of(1L), List.of("1"), Set.of(1), Map.of(1, 1),
				List.of(), Set.of(), Map.of(), new BigDecimal("1.0"), new BigDecimal("1.00"),
				CompositeKeys.of(new int[] { 7 }), CompositeKeys.of((Object) new Integer[] { 7 }), CompositeKeys.of(new int[0]),
				CompositeKeys.of(new long[0]), CompositeKeys.of((Object) new Object[0]), LocalDate.of(2026, 1, 1),
				ZoneId.of("UTC"), ZoneOffset.UTC, Duration.ofHours(1), Period.ofMonths(12), Period.ofYears(1),
				new Product(1, "1"), new Tenanted("t1", List.of(1)), new Tenanted("t1", List.of(1L)),
				new Tenanted("t2", List.of(1)));
		Set<String> redisKeys = new HashSet<>();
		for (Object key : distinct) {
			redisKeys.add(entry("products", key));
		}
		assertThat(redisKeys).hasSize(distinct.size());
	}

	/**
	 * Entries written by earlier versions must still be found: the text of each kind of key, as
	 * {@code @Collapsed} builds it, is pinned here character for character.
	 */
	@Test
	void encodingsOfExistingKeysNeverChange() {
		assertThat(entry("products", "EUR")).isEqualTo("app:{products:s3:EUR}");
		assertThat(entry("products", 42L)).isEqualTo("app:{products:l2:42}");
		assertThat(entry("products", 42)).isEqualTo("app:{products:i2:42}");
		assertThat(entry("products", NullKey.INSTANCE)).isEqualTo("app:{products:n}");
		assertThat(entry("products", CompositeKeys.of())).isEqualTo("app:{products:c0:}");
		assertThat(entry("products", CompositeKeys.of("a:b", "c"))).isEqualTo("app:{products:c2:s3:a:bs1:c}");
		assertThat(entry("products", CompositeKeys.of(new byte[] { 1, 2 }))).isEqualTo("app:{products:c1:a2:y1:1y1:2}");
		assertThat(entry("products", CompositeKeys.of(new int[] { 7 }, null))).isEqualTo("app:{products:c2:a1:i1:7z}");
		assertThat(entry("products", "{x}\\")).isEqualTo("app:{products:s4:\\(x\\)\\\\}");
		assertThat(entry("a:b", "x")).isEqualTo("app:{a\\;b:s1:x}");
		assertThat(entry("products", Thread.State.NEW)).isEqualTo("app:{products:e26:java.lang.Thread$State.NEW}");
		// changed (issue 14): a record was its class and its JSON, which loses what equals compares
		// (List.of(1) and List.of(1L) are both [1]); now its class and each component, tagged
		assertThat(entry("products", new Product(1, "one")))
			.isEqualTo("app:{products:r26:dev.collapse.redis.Product2:l1:1s3:one}");
		assertThat(entry("products", "x".repeat(300)))
			.isEqualTo("app:{products:#7ea77e315c55e2a90a87225d4630a31975a0a104ae313b5afaf904e1923cd2c8}");
	}

	/** Kinds added by issue 14 (docs/design.md, Keys): pinned from now on as the others are. */
	@Test
	void encodingsOfFaithfulKindsNeverChange() {
		assertThat(entry("products", List.of(1, 2L))).isEqualTo("app:{products:L2:i1:1l1:2}");
		assertThat(entry("products", Set.of("b", "a"))).isEqualTo("app:{products:S2:s1:as1:b}");
		assertThat(entry("products", Map.of("k", 1))).isEqualTo("app:{products:M1:s1:ki1:1}");
		assertThat(entry("products", LocalDate.of(2026, 12, 2))).isEqualTo("app:{products:h20:LocalDate=2026-12-02}");
		assertThat(entry("products", ZoneId.of("Europe/Paris"))).isEqualTo("app:{products:h19:ZoneId=Europe/Paris}");
		// reference arrays were tagged 'a' like primitive arrays: Integer[] {7} met int[] {7}
		assertThat(entry("products", CompositeKeys.of((Object) new Integer[] { 7 }))).isEqualTo("app:{products:c1:o1:i1:7}");
		// an empty primitive array names its element type: int[0] and long[0] are not equal
		assertThat(entry("products", CompositeKeys.of(new int[0]))).isEqualTo("app:{products:c1:a0:i}");
	}

	@Test
	void namesNeverMeetKeys() {
		assertThat(entry("a:s1:b", "c")).isNotEqualTo(entry("a", CompositeKeys.of("b", "c")));
		assertThat(entry("a", "x")).isNotEqualTo(entry("b", "x"));
		assertThat(entry("a:b", "x")).isNotEqualTo(entry("a", "b:x"));
	}

	@Test
	void theHashTagIsAlwaysTheWholeNameAndKey() {
		List<String> all = new ArrayList<>();
		for (String nasty : List.of("{", "}", "}{", "{a}", "\\}", "a}b{c")) {
			all.add(entry(nasty, nasty));
			all.add(entry("products", CompositeKeys.of(nasty, "x")));
		}
		for (String key : all) {
			int open = key.indexOf('{');
			int close = key.indexOf('}', open + 1);
			assertThat(open).isEqualTo("app:".length());
			assertThat(close).as(key).isEqualTo(key.length() - 1);
			assertThat(RedisKeys.lock(key)).startsWith(key).endsWith("}:lock");
		}
	}

	@Test
	void longKeysAreHashedAndStayDistinct() {
		String a = entry("products", "x".repeat(5000) + "a");
		String b = entry("products", "x".repeat(5000) + "b");
		assertThat(a).isNotEqualTo(b).hasSizeLessThan(100).contains("#");
		assertThat(entry("products", "x".repeat(RedisKeys.MAX_ENCODED_KEY - 10))).doesNotContain("#");
	}

	@Test
	void prefixWithABraceIsRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> new RedisKeys("app{", new KeyEncoding(List.of())));
	}

	@Test
	void entriesRoundTripAndForeignTextIsRefused() {
		RedisEntry entry = new RedisEntry(123, 45, true, "node:7", "{\"a\":\"b;c\"}");
		assertThat(RedisEntry.decode(entry.encode())).isEqualTo(entry);
		for (String foreign : List.of("", "hello", "c1;", "c1;12;", "c1;12;3;", "c1;12;3;x;v", "c1;a;3;st;v", "c2;1;1;st;v")) {
			assertThatIllegalArgumentException().as(foreign).isThrownBy(() -> RedisEntry.decode(foreign));
		}
		assertThat(entry.fresh(0)).isFalse();
		assertThat(entry.servesWaiterOf("node:7", 0)).isTrue();
		assertThat(entry.servesWaiterOf("node:8", 0)).isFalse();
		RedisEntry stored = new RedisEntry(1000, 1, false, "node:7", "1");
		assertThat(stored.fresh(999)).isTrue();
		assertThat(stored.fresh(1000)).isFalse();
	}

}
