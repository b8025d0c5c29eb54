package dev.collapse.sample.db;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.MeterBinder;

@Configuration(proxyBeanMethods = false)
class DatabaseConfiguration {

	// static: a post-processor must exist before the beans it processes, the DataSource among them
	@Bean
	static ProductQueryCounter productQueryCounter() {
		return new ProductQueryCounter();
	}

	@Bean
	MeterBinder productQueryMeter(ProductQueryCounter counter) {
		return (registry) -> FunctionCounter.builder("sample.db.queries", counter, ProductQueryCounter::count)
			.tag("table", "sample_products")
			.description("SQL statements that read the products table, counted at the JDBC boundary")
			.register(registry);
	}

}
