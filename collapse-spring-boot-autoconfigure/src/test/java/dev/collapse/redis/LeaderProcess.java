package dev.collapse.redis;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.awaitility.Awaitility.await;

/**
 * A node of the fleet in a JVM of its own, for {@link LeaderCrashTest}: it takes the lease of
 * {@code products/<id>}, says {@code LOADING} on stdout, and loads forever, until it is killed.
 * Arguments: the id, then Spring Boot properties.
 */
public final class LeaderProcess {

	private LeaderProcess() {
	}

	public static void main(String[] args) throws Exception {
		long id = Long.parseLong(args[0]);
		String[] properties = java.util.Arrays.copyOfRange(args, 1, args.length);
		Upstream upstream = new Upstream();
		upstream.behave((node, key) -> {
			System.out.println("LOADING");
			System.out.flush();
			TimeUnit.DAYS.sleep(1);
			return null;
		});
		ConfigurableApplicationContext context = new SpringApplicationBuilder(Fleet.App.class)
			.web(WebApplicationType.NONE)
			.properties(properties)
			.initializers((ctx) -> ctx.getBeanFactory().registerSingleton("upstream", upstream))
			.run();
		RedisDistributedLayer layer = context.getBean(RedisDistributedLayer.class);
		await().atMost(Duration.ofSeconds(30)).until(layer::available);
		context.getBean(ProductService.class).find(id);
	}

}
