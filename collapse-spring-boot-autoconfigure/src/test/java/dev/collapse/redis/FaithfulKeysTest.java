package dev.collapse.redis;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import dev.collapse.core.CompositeKeys;
import dev.collapse.core.Keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Invariant 13: keys are encoded faithfully (equal keys, and only they, share a text) or not at all;
 * one tenant's key never reaches another tenant's entry (issue 14).
 */
class FaithfulKeysTest {

	private final KeyEncoding encoding = new KeyEncoding(List.of());

	record TenantKey(String tenant, long id) {
	}

	record Pair(Object left, Object right) {
	}

	record CaseInsensitive(String name) {

		@Override
		public boolean equals(Object other) {
			return other instanceof CaseInsensitive that && this.name.equalsIgnoreCase(that.name);
		}

		@Override
		public int hashCode() {
			return this.name.toLowerCase(java.util.Locale.ROOT).hashCode();
		}

	}

	record WithArray(int[] ids) {
	}

	@Test
	void aTenantScopedClassWithoutAGetterForItsTenantIsNotEncodedAtAll() {
		assertThatExceptionOfType(UnencodableKeyException.class)
			.isThrownBy(() -> this.encoding.encode(new TenantScoped("t1", 42)))
			.withMessageContaining(TenantScoped.class.getName())
			.withMessageNotContaining("t1")
			.withMessageNotContaining("42");
	}

	@Test
	void aTenantScopedRecordIsEncodedByEveryComponent() {
		assertThat(this.encoding.encode(new TenantKey("t1", 42))).isNotEqualTo(this.encoding.encode(new TenantKey("t2", 42)))
			.isEqualTo(this.encoding.encode(new TenantKey("t1", 42)));
	}

	@Test
	void elementsOfEqualValueButUnequalTypeDiffer() {
		assertThat(this.encoding.encode(List.of(1))).isNotEqualTo(this.encoding.encode(List.of(1L)));
		assertThat(this.encoding.encode(new Pair(1, "x"))).isNotEqualTo(this.encoding.encode(new Pair(1L, "x")));
		assertThat(this.encoding.encode(new BigDecimal("1.0"))).isNotEqualTo(this.encoding.encode(new BigDecimal("1.00")));
		assertThat(this.encoding.encode(-0.0d)).isNotEqualTo(this.encoding.encode(0.0d));
	}

	@Test
	void equalCollectionsOfDifferentClassesAgree() {
		assertThat(this.encoding.encode(List.of(1, 2))).isEqualTo(this.encoding.encode(Arrays.asList(1, 2)))
			.isEqualTo(this.encoding.encode(new LinkedList<>(List.of(1, 2))));
		Set<String> hashed = new HashSet<>(List.of("b", "a", "c"));
		Set<String> sorted = new TreeSet<>(List.of("c", "a", "b"));
		assertThat(hashed).isEqualTo(sorted);
		assertThat(this.encoding.encode(hashed)).isEqualTo(this.encoding.encode(sorted))
			.isEqualTo(this.encoding.encode(Set.of("c", "b", "a")));
		Map<String, Integer> hashMap = new HashMap<>(Map.of("b", 2, "a", 1));
		Map<String, Integer> treeMap = new TreeMap<>(Map.of("a", 1, "b", 2));
		assertThat(this.encoding.encode(hashMap)).isEqualTo(this.encoding.encode(treeMap));
		assertThat(this.encoding.encode(Set.of(1))).isNotEqualTo(this.encoding.encode(List.of(1)));
	}

	@Test
	void whatEqualsCannotBeFollowedIsRefused() {
		for (Object key : List.of(new CaseInsensitive("a"), new WithArray(new int[] { 1 }), List.of(new int[] { 1 }),
				new ArrayDeque<>(List.of(1)), Optional.of(1), new Object(), List.of(new TenantScoped("t1", 1)))) {
			assertThatExceptionOfType(UnencodableKeyException.class).as(key.getClass().getName())
				.isThrownBy(() -> this.encoding.encode(key));
		}
	}

	@Test
	void aKeyEncoderWritesWhatTheFleetCannotAndOnlyThat() {
		KeyEncoding withEncoder = new KeyEncoding(List.of((key) -> null,
				(key) -> (key instanceof TenantScoped scoped) ? scoped.tenant() + "/" + scoped.getId() : null));
		assertThat(withEncoder.encode(new TenantScoped("t1", 42)))
			.isEqualTo("x" + (TenantScoped.class.getName() + "=t1/42").length() + ":" + TenantScoped.class.getName() + "=t1/42");
		assertThat(withEncoder.encode(List.of(new TenantScoped("t1", 42))))
			.isNotEqualTo(withEncoder.encode(List.of(new TenantScoped("t2", 42))));
		assertThat(withEncoder.encode("EUR")).isEqualTo(this.encoding.encode("EUR"));
		KeyEncoding failing = new KeyEncoding(List.of((key) -> {
			throw new IllegalStateException("secret " + key);
		}));
		assertThatExceptionOfType(UnencodableKeyException.class)
			.isThrownBy(() -> failing.encode(new TenantScoped("t1", 42)))
			.withMessageContaining("IllegalStateException")
			.withMessageNotContaining("secret");
	}

	/**
	 * Many random pairs of keys from a small world, so that equal pairs are frequent and often
	 * built of different classes: their texts are equal exactly when the keys are.
	 */
	@Test
	void textsAreEqualIfAndOnlyIfKeysAreEqual() {
		Random implementations = new Random(14);
		int equalPairs = 0;
		for (int i = 0; i < 20_000; i++) {
			Random pick = new Random(i);
			Object a = Keys.normalize(value(new Random(pick.nextInt(400)), implementations, 0, true));
			Object b = Keys.normalize(value(new Random(pick.nextInt(400)), implementations, 0, true));
			boolean equal = a.equals(b);
			equalPairs += equal ? 1 : 0;
			assertThat(this.encoding.encode(a).equals(this.encoding.encode(b))).as("pair %d", i).isEqualTo(equal);
		}
		assertThat(equalPairs).as("equal pairs tried").isGreaterThan(200);
	}

	/**
	 * A value drawn by {@code shape}, built of classes drawn by {@code implementations}: one shape
	 * seed gives equal values of different classes.
	 */
	private static Object value(Random shape, Random implementations, int depth, boolean arraysByContent) {
		int kinds = (depth >= 2) ? 9 : (arraysByContent ? 15 : 14);
		return switch (shape.nextInt(kinds)) {
			case 0 -> shape.nextInt(3);
			case 1 -> (long) shape.nextInt(3);
			case 2 -> String.valueOf(shape.nextInt(3));
			case 3 -> (short) shape.nextInt(2);
			case 4 -> BigDecimal.valueOf(shape.nextInt(2), shape.nextInt(2));
			case 5 -> shape.nextBoolean();
			case 6 -> Thread.State.values()[shape.nextInt(2)];
			case 7 -> shape.nextBoolean() ? Instant.ofEpochSecond(shape.nextInt(2)) : LocalDate.ofEpochDay(shape.nextInt(2));
			case 8 -> shape.nextBoolean() ? -0.0d : (double) shape.nextInt(2);
			case 9 -> list(elements(shape, implementations, depth), implementations);
			case 10 -> set(elements(shape, implementations, depth), implementations);
			case 11 -> map(elements(shape, implementations, depth), elements(shape, implementations, depth), implementations);
			case 12 -> new Pair(value(shape, implementations, depth + 1, false), value(shape, implementations, depth + 1, false));
			case 13 -> CompositeKeys.of(value(shape, implementations, depth + 1, true), value(shape, implementations, depth + 1, true));
			default -> array(shape, implementations, depth);
		};
	}

	private static List<Object> elements(Random shape, Random implementations, int depth) {
		List<Object> elements = new ArrayList<>();
		for (int i = shape.nextInt(3); i > 0; i--) {
			elements.add(value(shape, implementations, depth + 1, false));
		}
		return elements;
	}

	private static Object array(Random shape, Random implementations, int depth) {
		int length = shape.nextInt(3);
		return switch (shape.nextInt(3)) {
			case 0 -> shape.ints(length, 0, 2).toArray();
			case 1 -> shape.ints(length, 0, 2).boxed().toArray(Integer[]::new);
			default -> {
				Object[] array = new Object[length];
				for (int i = 0; i < length; i++) {
					array[i] = value(shape, implementations, depth + 1, true);
				}
				yield array;
			}
		};
	}

	private static List<Object> list(List<Object> elements, Random implementations) {
		return switch (implementations.nextInt(4)) {
			case 0 -> new ArrayList<>(elements);
			case 1 -> new LinkedList<>(elements);
			case 2 -> Arrays.asList(elements.toArray());
			default -> Collections.unmodifiableList(elements);
		};
	}

	private static Set<Object> set(List<Object> elements, Random implementations) {
		List<Object> shuffled = new ArrayList<>(elements);
		Collections.shuffle(shuffled, implementations);
		return implementations.nextBoolean() ? new HashSet<>(shuffled) : new LinkedHashSet<>(shuffled);
	}

	private static Map<Object, Object> map(List<Object> keys, List<Object> values, Random implementations) {
		Map<Object, Object> map = implementations.nextBoolean() ? new HashMap<>() : new LinkedHashMap<>();
		List<Object> shuffled = new ArrayList<>(keys);
		Collections.shuffle(shuffled, implementations);
		for (Object key : shuffled) {
			map.put(key, values.isEmpty() ? "v" : values.get(keys.indexOf(key) % values.size()));
		}
		return map;
	}

}
