package dev.collapse.redis;

import java.io.Serializable;
import java.lang.reflect.Type;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;


import static org.assertj.core.api.Assertions.assertThat;

/** What a declared key type tells at startup: never encodable (refused), or checked per call. */
class KeyTypesTest {

	record Tenanted(String tenant, List<Long> ids, Map<String, Set<Instant>> times) {
	}

	record Generic<T>(T value) {
	}

	record Nested(Tenanted tenanted, Thread.State state) {
	}

	record Holder(TenantScoped scoped) {
	}

	record WithArray(long[] ids) {
	}

	record Recursive(List<Recursive> children, String name) {
	}

	@Test
	void encodableTypesPass() {
		for (Type type : List.of(String.class, long.class, Long.class, UUID.class, Instant.class, Thread.State.class,
				Tenanted.class, Nested.class, Recursive.class, int[].class, String[][].class,
				new ParameterizedTypeReference<List<Long>>() { }.getType(),
				new ParameterizedTypeReference<Generic<String>>() { }.getType())) {
			assertThat(KeyTypes.unencodable(type)).as(type.getTypeName()).isNull();
		}
	}

	@Test
	void typesThatMayHoldAnEncodableValueAreCheckedPerCall() {
		for (Type type : List.of(Object.class, Number.class, Serializable.class, Comparable.class, Collection.class,
				new ParameterizedTypeReference<List<?>>() { }.getType(),
				new ParameterizedTypeReference<Map<String, Object>>() { }.getType(), Generic.class)) {
			assertThat(KeyTypes.unencodable(type)).as(type.getTypeName()).isNull();
		}
	}

	@Test
	void typesThatNeverHoldAnEncodableValueAreRefusedNamingWhy() {
		assertThat(KeyTypes.unencodable(TenantScoped.class)).contains(TenantScoped.class.getName(), "not a record");
		assertThat(KeyTypes.unencodable(Holder.class)).contains(TenantScoped.class.getName(), "component scoped");
		assertThat(KeyTypes.unencodable(WithArray.class)).contains("array", "identity");
		assertThat(KeyTypes.unencodable(new ParameterizedTypeReference<List<TenantScoped>>() { }.getType()))
			.contains(TenantScoped.class.getName());
		assertThat(KeyTypes.unencodable(new ParameterizedTypeReference<Generic<TenantScoped>>() { }.getType()))
			.contains(TenantScoped.class.getName());
		assertThat(KeyTypes.unencodable(FaithfulKeysTest.CaseInsensitive.class)).contains("its own equals");
		assertThat(KeyTypes.unencodable(ArrayDeque.class)).contains("identity");
		assertThat(KeyTypes.unencodable(new ParameterizedTypeReference<Optional<Long>>() { }.getType())).isNotNull();
		assertThat(KeyTypes.unencodable(TenantScoped[].class)).contains(TenantScoped.class.getName());
	}

}
