package dev.collapse.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.util.ClassUtils;

/**
 * Says so, once at startup, when {@code collapse.redis.enabled=true} but the classes the Redis
 * layer needs are missing: {@link CollapseRedisAutoConfiguration} then stays off, and calls are
 * collapsed in each JVM only, which a user who turned Redis on would not expect silently.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "collapse.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "collapse.redis.enabled")
public final class CollapseRedisClasspathAutoConfiguration {

	private static final Log logger = LogFactory.getLog(CollapseRedisClasspathAutoConfiguration.class);

	/** Each class the Redis layer needs, and what brings it. */
	private static final String[][] REQUIRED = {
			{ "org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory",
					"spring-boot-starter-data-redis" },
			{ "io.lettuce.core.RedisClient", "io.lettuce:lettuce-core (Spring Boot's default Redis client)" },
			{ "tools.jackson.databind.json.JsonMapper", "tools.jackson.core:jackson-databind (Jackson 3)" } };

	@Bean
	@ConditionalOnMissingBean(name = "collapseRedisClasspathCheck")
	static SmartInitializingSingleton collapseRedisClasspathCheck(ApplicationContext context) {
		return () -> {
			List<String> missing = new ArrayList<>();
			for (String[] required : REQUIRED) {
				if (!ClassUtils.isPresent(required[0], context.getClassLoader())) {
					missing.add(required[1]);
				}
			}
			if (!missing.isEmpty()) {
				logger.warn("collapse.redis.enabled=true, but " + String.join(", ", missing)
						+ " is not on the classpath: calls are collapsed in each JVM only, not across the fleet");
			}
		};
	}

}
