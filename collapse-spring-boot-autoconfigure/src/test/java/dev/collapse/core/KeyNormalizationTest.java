package dev.collapse.core;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link Keys}: the rules by which values become keys, for the annotation and the Collapser alike. */
class KeyNormalizationTest {

	@Test
	void arraysOfEqualContentAreOneKey() {
		assertThat(Keys.normalize(new byte[] { 1, 2 })).isEqualTo(Keys.normalize(new byte[] { 1, 2 }))
			.hasSameHashCodeAs(Keys.normalize(new byte[] { 1, 2 }))
			.isNotEqualTo(Keys.normalize(new byte[] { 2, 1 }))
			.isNotEqualTo(Keys.normalize(new int[] { 1, 2 }));
		assertThat(Keys.normalize(new String[] { "a", "b" })).isEqualTo(Keys.normalize(new String[] { "a", "b" }));
	}

	@Test
	void nullIsTheNullKeyAndOtherValuesStayAsTheyAre() {
		assertThat(Keys.normalize(null)).isSameAs(NullKey.INSTANCE);
		Object value = "EUR";
		assertThat(Keys.normalize(value)).isSameAs(value);
	}

	@Test
	void normalizingAKeyAgainChangesNothing() {
		for (Object value : new Object[] { null, "EUR", 42L, new byte[] { 1 } }) {
			Object key = Keys.normalize(value);
			assertThat(Keys.normalize(key)).isSameAs(key);
			assertThat(Keys.ofArguments(new Object[] { key })).isSameAs(key);
		}
	}

	@Test
	void argumentsBecomeOneKey() {
		assertThat(Keys.ofArguments(new Object[0])).isSameAs(CompositeKey.EMPTY);
		assertThat(Keys.ofArguments(new Object[] { new int[] { 7 } })).isEqualTo(Keys.normalize(new int[] { 7 }));
		assertThat(Keys.ofArguments(new Object[] { "a", new byte[] { 1 }, null }))
			.isEqualTo(Keys.ofArguments(new Object[] { "a", new byte[] { 1 }, null }))
			.isNotEqualTo(Keys.ofArguments(new Object[] { "a", new byte[] { 2 }, null }));
		assertThat(Keys.ofArguments(new Object[] { "a:b", "c" })).isNotEqualTo(Keys.ofArguments(new Object[] { "a", "b:c" }));
	}

	@Test
	void theArgumentsArrayMayBeReusedAfterwards() {
		Object[] arguments = { "a", "b" };
		Object key = Keys.ofArguments(arguments);
		arguments[1] = "c";
		assertThat(key).isEqualTo(Keys.ofArguments(new Object[] { "a", "b" }));
	}

	@Test
	void keysNeverPrintTheirContent() {
		assertThat(Keys.ofArguments(new Object[] { "secret", 1 })).hasToString("CompositeKey[2 parts]");
	}

}
