package dev.collapse.aop;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ContextConsumer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.collapse.annotation.Collapsed;
import dev.collapse.aop.KeyArguments.LegacyRef;
import dev.collapse.aop.KeyArguments.ProductRef;
import dev.collapse.core.Herd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Keys through the proxy. Every method caches for a minute, so that two calls load once exactly
 * when their keys are equal: the load count tells which arguments made the key.
 */
class KeysTest {

	@Test
	void argumentsThatConcatenateAlikeAreDifferentKeys() {
		run((keys, loads) -> {
			assertThat(keys.pair("a:b", "c")).isEqualTo("a:b|c");
			assertThat(keys.pair("a", "b:c")).isEqualTo("a|b:c");
			assertThat(keys.pair("ab", "c")).isEqualTo("ab|c");
			assertThat(loads.get("pair")).hasValue(3);
			assertThat(keys.pair("a:b", "c")).isEqualTo("a:b|c");
			assertThat(loads.get("pair")).hasValue(3);
		});
	}

	@Test
	void nullArgumentsAreAllowedAndAreKeysOfTheirOwn() {
		run((keys, loads) -> {
			assertThat(keys.pair(null, "c")).isEqualTo("null|c");
			assertThat(keys.pair(null, "c")).isEqualTo("null|c");
			assertThat(keys.pair("null", "c")).isEqualTo("null|c");
			assertThat(keys.pair(null, null)).isEqualTo("null|null");
			assertThat(loads.get("pair")).as("(null, c), (\"null\", c), (null, null)").hasValue(3);
			assertThat(keys.single(null)).isEqualTo("null");
			assertThat(keys.single(null)).isEqualTo("null");
			assertThat(keys.single("null")).isEqualTo("null");
			assertThat(loads.get("single")).hasValue(2);
		});
	}

	@Test
	void arrayArgumentsCompareByContent() {
		run((keys, loads) -> {
			keys.array(new String[] { "a", "b" });
			keys.array(new String[] { "a", "b" });
			keys.array(new String[] { "a", "c" });
			assertThat(loads.get("array")).hasValue(2);
		});
	}

	@Test
	void indexedParametersP0AndA0() {
		run((keys, loads) -> {
			keys.p0("1", "x");
			keys.p0("1", "y");
			keys.p0("2", "x");
			assertThat(loads.get("p0")).hasValue(2);
			keys.a0("1", "x");
			keys.a0("1", "y");
			keys.a0("2", "x");
			assertThat(loads.get("a0")).hasValue(2);
		});
	}

	@Test
	void rootArgsAndRootMethodName() {
		run((keys, loads) -> {
			keys.rootArgs("a", "b");
			keys.rootArgs("a", "b");
			keys.rootArgs("a", "c");
			assertThat(loads.get("root-args")).hasValue(2);
			keys.methodName("x");
			keys.methodName("y");
			assertThat(loads.get("method-name")).as("one key for every call").hasValue(1);
		});
	}

	@Test
	void propertyOfAParameterByRecordAccessorAndByGetter() {
		run((keys, loads) -> {
			keys.record(new ProductRef("7"), "x");
			keys.record(new ProductRef("7"), "y");
			keys.record(new ProductRef("8"), "x");
			assertThat(loads.get("record")).hasValue(2);
			keys.getter(new LegacyRef("7"), "x");
			keys.getter(new LegacyRef("7"), "y");
			keys.getter(new LegacyRef("8"), "x");
			assertThat(loads.get("getter")).hasValue(2);
			keys.hiddenRecord(new HiddenRef("7"));
			keys.hiddenRecord(new HiddenRef("7"));
			keys.hiddenRecord(new HiddenRef("8"));
			assertThat(loads.get("hidden-record")).as("a non-public record goes through SpEL").hasValue(2);
		});
	}

	@Test
	void generalSpelExpression() {
		run((keys, loads) -> {
			keys.spel("a", "xyz");
			keys.spel("a", "abc");
			keys.spel("a", "ab");
			keys.spel("b", "xyz");
			assertThat(loads.get("spel")).as("key is #a + '-' + #b.length()").hasValue(3);
		});
	}

	@Test
	void spelKeysUnderConcurrencyStillMakeOneLoadPerKey() {
		// SpEL compiles the expression after some evaluations (MIXED mode) while callers use it
		run((keys, loads) -> {
			List<Future<String>> callers = new ArrayList<>();
			try (Herd herd = new Herd(200)) {
				for (int i = 0; i < 2_000; i++) {
					String a = "k" + (i % 10);
					callers.add(herd.add(() -> keys.spel(a, "xyz")));
				}
				herd.release();
				for (int i = 0; i < callers.size(); i++) {
					assertThat(Herd.result(callers.get(i))).isEqualTo("k" + (i % 10) + "xyz");
				}
			}
			assertThat(loads.get("spel")).as("ttl 1m: each of 10 keys loads once").hasValue(10);
		});
	}

	@Test
	void keyExpressionYieldingNullFailsNamingTheMethod() {
		run((keys, loads) -> {
			assertThatExceptionOfType(CollapseKeyException.class).isThrownBy(() -> keys.record(new ProductRef(null), "x"))
				.withMessageContaining(Keys.class.getName() + ".record(ProductRef, String)")
				.withMessageContaining("#ref.id")
				.withMessageContaining("null");
			assertThatExceptionOfType(CollapseKeyException.class).isThrownBy(() -> keys.rootArgsFirst(null))
				.withMessageContaining(Keys.class.getName() + ".rootArgsFirst(String)")
				.withMessageContaining("null");
			assertThatExceptionOfType(CollapseKeyException.class).isThrownBy(() -> keys.record(null, "x"))
				.withMessageContaining(Keys.class.getName() + ".record(ProductRef, String)");
			assertThat(loads.get("record")).hasValue(0);
			assertThat(loads.get("root-args-first")).hasValue(0);
		});
	}

	@Test
	void parameterKeyYieldingNullFailsLikeAnyOtherExpression() {
		// #p0 and #id take a fast path past SpEL; it must not turn a null key into a key of its own
		run((keys, loads) -> {
			assertThatExceptionOfType(CollapseKeyException.class).isThrownBy(() -> keys.p0(null, "x"))
				.withMessageContaining(Keys.class.getName() + ".p0(String, String)")
				.withMessageContaining("'#p0' evaluated to null");
			assertThatExceptionOfType(CollapseKeyException.class).isThrownBy(() -> keys.byId(null))
				.withMessageContaining(Keys.class.getName() + ".byId(String)")
				.withMessageContaining("'#id' evaluated to null");
			assertThat(loads.get("p0")).hasValue(0);
			assertThat(loads.get("by-id")).hasValue(0);
		});
	}

	@Test
	void keyErrorNeverPrintsTheArguments() {
		run((keys, loads) -> assertThatExceptionOfType(CollapseKeyException.class)
			.isThrownBy(() -> keys.spel("secret-token", null))
			.withMessageNotContaining("secret-token"));
	}

	@Test
	void twoInstanceNamesNeverShareAnEntry() {
		run((keys, loads) -> {
			assertThat(keys.left("k")).isEqualTo("left k");
			assertThat(keys.right("k")).isEqualTo("right k");
			assertThat(keys.left("k")).isEqualTo("left k");
			assertThat(keys.right("k")).isEqualTo("right k");
			assertThat(loads.get("left")).hasValue(1);
			assertThat(loads.get("right")).hasValue(1);
		});
	}

	private static void run(KeysConsumer test) {
		CollapseContexts.runner().withUserConfiguration(KeysConfiguration.class).run((ContextConsumer<AssertableApplicationContext>) (context) -> {
			assertThat(context).hasNotFailed();
			test.accept(context.getBean(Keys.class), context.getBean(Loads.class).byInstance);
		});
	}

	@FunctionalInterface
	interface KeysConsumer {

		void accept(Keys keys, Map<String, AtomicInteger> loads) throws Throwable;

	}

	record HiddenRef(String id) {
	}

	@Configuration(proxyBeanMethods = false)
	static class KeysConfiguration {

		@Bean
		Loads loads() {
			return new Loads();
		}

		@Bean
		Keys keys(Loads loads) {
			return new Keys(loads);
		}

	}

	static class Loads {

		final Map<String, AtomicInteger> byInstance = new ConcurrentHashMap<>();

		AtomicInteger of(String name) {
			return this.byInstance.computeIfAbsent(name, (n) -> new AtomicInteger());
		}

	}

	static class Keys {

		private final Loads loads;

		Keys(Loads loads) {
			this.loads = loads;
			for (String name : new String[] { "pair", "single", "array", "p0", "a0", "root-args", "method-name",
					"record", "getter", "hidden-record", "spel", "root-args-first", "left", "right", "by-id" }) {
				loads.of(name);
			}
		}

		private String load(String name, String value) {
			this.loads.of(name).incrementAndGet();
			return value;
		}

		@Collapsed(name = "pair", ttl = "1m")
		public String pair(String a, String b) {
			return load("pair", a + "|" + b);
		}

		@Collapsed(name = "single", ttl = "1m")
		public String single(String a) {
			return load("single", String.valueOf(a));
		}

		@Collapsed(name = "array", ttl = "1m")
		public String array(String[] parts) {
			return load("array", String.join(",", parts));
		}

		@Collapsed(name = "p0", key = "#p0", ttl = "1m")
		public String p0(String id, String ignored) {
			return load("p0", id);
		}

		@Collapsed(name = "by-id", key = "#id", ttl = "1m")
		public String byId(String id) {
			return load("by-id", id);
		}

		@Collapsed(name = "a0", key = "#a0", ttl = "1m")
		public String a0(String id, String ignored) {
			return load("a0", id);
		}

		@Collapsed(name = "root-args", key = "#root.args", ttl = "1m")
		public String rootArgs(String a, String b) {
			return load("root-args", a + b);
		}

		@Collapsed(name = "root-args-first", key = "#root.args[0]", ttl = "1m")
		public String rootArgsFirst(String a) {
			return load("root-args-first", a);
		}

		@Collapsed(name = "method-name", key = "#root.methodName", ttl = "1m")
		public String methodName(String ignored) {
			return load("method-name", "same");
		}

		@Collapsed(name = "record", key = "#ref.id", ttl = "1m")
		public String record(ProductRef ref, String ignored) {
			return load("record", ref.id());
		}

		@Collapsed(name = "getter", key = "#ref.id", ttl = "1m")
		public String getter(LegacyRef ref, String ignored) {
			return load("getter", ref.getId());
		}

		@Collapsed(name = "hidden-record", key = "#ref.id", ttl = "1m")
		public String hiddenRecord(HiddenRef ref) {
			return load("hidden-record", ref.id());
		}

		@Collapsed(name = "spel", key = "#a + '-' + #b.length()", ttl = "1m")
		public String spel(String a, String b) {
			return load("spel", a + b);
		}

		@Collapsed(name = "left", ttl = "1m")
		public String left(String id) {
			return load("left", "left " + id);
		}

		@Collapsed(name = "right", ttl = "1m")
		public String right(String id) {
			return load("right", "right " + id);
		}

	}

}
