package dev.collapse.redis;

import java.lang.reflect.Type;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;

/**
 * JSON with Jackson 3, read back as the declared type only: no default typing, so nothing in an
 * entry can name a class to instantiate. Types whose concrete class JSON cannot tell (an
 * interface, an abstract class, {@code Object}, also as an element of a collection or map) are
 * refused, because the value read back would not be the value loaded.
 */
final class JacksonRedisValueSerializer implements RedisValueSerializer {

	private final JsonMapper mapper;

	JacksonRedisValueSerializer(JsonMapper mapper) {
		this.mapper = mapper;
	}

	@Override
	public Codec codec(Type type) {
		JavaType javaType = this.mapper.constructType(type);
		String problem = unsafe(javaType);
		if (problem != null) {
			throw new IllegalArgumentException("return type " + type.getTypeName() + " cannot be read back from Redis: "
					+ problem + "; declare a concrete type (a class or record, or List/Set/Map/Optional of one), "
					+ "or define a RedisValueSerializer bean");
		}
		ObjectWriter writer = this.mapper.writerFor(javaType);
		ObjectReader reader = this.mapper.readerFor(javaType);
		return new Codec() {

			@Override
			public String write(@Nullable Object value) {
				return writer.writeValueAsString(value);
			}

			@Override
			public @Nullable Object read(String text) {
				return reader.readValue(text);
			}

		};
	}

	/** Why values of {@code type} cannot be read back as they were written, or {@code null}. */
	private static @Nullable String unsafe(JavaType type) {
		if (type.isContainerType() || type.isReferenceType()) {
			if (type.isMapLikeType()) {
				String key = unsafe(type.getKeyType());
				if (key != null) {
					return key;
				}
			}
			return unsafe(type.getContentType());
		}
		Class<?> raw = type.getRawClass();
		if (raw.isPrimitive() || raw.isEnum() || JsonNode.class.isAssignableFrom(raw)) {
			return null;
		}
		if (type.isJavaLangObject()) {
			return "Object says nothing of the class to read";
		}
		if (raw.isInterface() || type.isAbstract()) {
			return raw.getName() + " is " + (raw.isInterface() ? "an interface" : "abstract")
					+ ", so JSON cannot tell which class to read";
		}
		return null;
	}

}
