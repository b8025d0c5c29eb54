package dev.collapse.aop;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.collapse.annotation.Collapsed;
import dev.collapse.autoconfigure.CollapseAutoConfiguration;

import static org.assertj.core.api.Assertions.assertThat;

class SmokeTest {

	@Test
	void herd() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, CollapseAutoConfiguration.class))
			.withUserConfiguration(Config.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				Service service = context.getBean(Service.class);
				int callers = 200;
				CountDownLatch start = new CountDownLatch(1);
				ExecutorService pool = Executors.newFixedThreadPool(callers);
				List<Future<String>> results = new ArrayList<>();
				for (int i = 0; i < callers; i++) {
					results.add(pool.submit(() -> {
						start.await();
						return service.find(7L);
					}));
				}
				start.countDown();
				for (Future<String> r : results) {
					assertThat(r.get(10, TimeUnit.SECONDS)).isEqualTo("v7");
				}
				pool.shutdown();
				System.out.println("loads=" + service.loads());
			});
	}

	@Configuration
	static class Config {

		@Bean
		Service service() {
			return new Service();
		}

	}

	static class Service {

		final AtomicInteger loads = new AtomicInteger();

		public int loads() { return this.loads.get(); }

		@Collapsed(key = "#id", ttl = "0")
		public String find(Long id) throws InterruptedException {
			this.loads.incrementAndGet();
			Thread.sleep(200);
			return "v" + id;
		}

	}

}
