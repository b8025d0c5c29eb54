package dev.collapse.redis;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.collapse.core.CompositeKeys;
import dev.collapse.core.NullKey;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** The key encoding alone: injective, brace-safe, bounded. */
class RedisKeysTest {

	private final RedisKeys keys = new RedisKeys("app:", JsonMapper.builder().build());

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
				new Product(1, "one"), Thread.State.NEW);
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
		assertThat(entry("products", new Product(1, "one")))
			.isEqualTo("app:{products:j48:dev.collapse.redis.Product=\\(\"id\":1,\"name\":\"one\"\\)}");
		assertThat(entry("products", "x".repeat(300)))
			.isEqualTo("app:{products:#7ea77e315c55e2a90a87225d4630a31975a0a104ae313b5afaf904e1923cd2c8}");
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
		assertThatIllegalArgumentException().isThrownBy(() -> new RedisKeys("app{", JsonMapper.builder().build()));
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
