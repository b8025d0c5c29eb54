package dev.collapse.redis;

import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** Which declared types the default serializer accepts, and that they read back as written. */
class JacksonRedisValueSerializerTest {

	private final RedisValueSerializer serializer = RedisValueSerializers.json(JsonMapper.builder().build());

	private static Type type(ParameterizedTypeReference<?> reference) {
		return reference.getType();
	}

	@Test
	void concreteTypesAndContainersOfThemRoundTrip() throws Exception {
		Object[][] cases = { { Product.class, new Product(1, "one") },
				{ type(new ParameterizedTypeReference<List<Product>>() {
				}), List.of(new Product(1, "one"), new Product(2, "two")) },
				{ type(new ParameterizedTypeReference<Map<String, Product>>() {
				}), Map.of("a", new Product(1, "one")) },
				{ type(new ParameterizedTypeReference<Optional<Product>>() {
				}), Optional.of(new Product(3, "three")) },
				{ type(new ParameterizedTypeReference<Optional<Product>>() {
				}), Optional.empty() }, { String.class, "text" }, { long.class, 7L }, { Product[].class, null },
				{ type(new ParameterizedTypeReference<Set<Thread.State>>() {
				}), Set.of(Thread.State.NEW) } };
		for (Object[] each : cases) {
			RedisValueSerializer.Codec codec = this.serializer.codec((Type) each[0]);
			assertThat(codec.read(codec.write(each[1]))).as(String.valueOf(each[0])).isEqualTo(each[1]);
		}
		assertThat(this.serializer.codec(JsonNode.class)).isNotNull();
	}

	@Test
	void typesWhoseClassJsonCannotTellAreRefused() {
		List<Type> unsafe = List.of(Object.class, CharSequence.class, Number.class,
				type(new ParameterizedTypeReference<List<Object>>() {
				}), type(new ParameterizedTypeReference<Map<String, CharSequence>>() {
				}), type(new ParameterizedTypeReference<Optional<Comparable<String>>>() {
				}));
		for (Type type : unsafe) {
			assertThatIllegalArgumentException().as(type.getTypeName())
				.isThrownBy(() -> this.serializer.codec(type))
				.withMessageContaining(type.getTypeName().replace("$", "."))
				.withMessageContaining("RedisValueSerializer");
		}
	}

}
