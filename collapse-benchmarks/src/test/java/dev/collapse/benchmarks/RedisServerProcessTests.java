package dev.collapse.benchmarks;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/** Without a redis-server binary the Redis benchmarks fail at once, saying what to install. */
class RedisServerProcessTests {

	@Test
	void aMissingRedisServerFailsWithAClearMessage() {
		assertThatIllegalStateException().isThrownBy(() -> RedisServerProcess.start("/nonexistent/redis-server"))
			.withMessageContaining("cannot run '/nonexistent/redis-server'")
			.withMessageContaining("apt-get install redis-server");
	}

}
