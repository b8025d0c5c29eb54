package dev.collapse.redis;

import java.lang.reflect.Type;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import tools.jackson.databind.json.JsonMapper;

/** The JSON serializer, whose reads pause once armed, until released. */
final class PausingSerializer implements RedisValueSerializer {

	private final RedisValueSerializer json = RedisValueSerializers.json(JsonMapper.builder().build());

	final CountDownLatch reading = new CountDownLatch(1);

	final CountDownLatch release = new CountDownLatch(1);

	volatile boolean armed;

	@Override
	public Codec codec(Type type) {
		Codec codec = this.json.codec(type);
		return new Codec() {

			@Override
			public String write(Object value) throws Exception {
				return codec.write(value);
			}

			@Override
			public Object read(String text) throws Exception {
				if (PausingSerializer.this.armed) {
					PausingSerializer.this.armed = false;
					PausingSerializer.this.reading.countDown();
					PausingSerializer.this.release.await(20, TimeUnit.SECONDS);
				}
				return codec.read(text);
			}

		};
	}

}
