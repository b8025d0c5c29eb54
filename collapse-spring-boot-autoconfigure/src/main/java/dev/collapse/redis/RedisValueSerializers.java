package dev.collapse.redis;

import tools.jackson.databind.json.JsonMapper;

/** The serializers collapse provides. */
public final class RedisValueSerializers {

	private RedisValueSerializers() {
	}

	/**
	 * JSON with {@code mapper}, read back as the declared type only (no default typing); refuses
	 * {@code Object}, interfaces and abstract classes, which JSON cannot read back as they were.
	 */
	public static RedisValueSerializer json(JsonMapper mapper) {
		return new JacksonRedisValueSerializer(mapper);
	}

}
