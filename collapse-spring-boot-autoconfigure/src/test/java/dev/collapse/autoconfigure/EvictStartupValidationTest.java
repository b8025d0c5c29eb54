package dev.collapse.autoconfigure;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import reactor.core.publisher.Flux;

import dev.collapse.annotation.CollapseEvict;
import dev.collapse.aop.CollapseContexts;
import dev.collapse.core.CollapseConfigurationException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bad {@code @CollapseEvict} stops the application at startup, and the message names the class,
 * the method and the attribute, as for {@code @Collapsed} ({@link StartupValidationTest}).
 */
class EvictStartupValidationTest {

	private final ApplicationContextRunner runner = CollapseContexts.runner();

	@Test
	void badSpel() {
		assertFailure(BadSpel.class, "name = \"products\" key: ", "'#id +' is not a valid SpEL expression");
	}

	@Test
	void unknownParameterName() {
		assertFailure(UnknownParameter.class, "name = \"products\" key: ", "no parameter named 'product'",
				"(parameters: id)");
	}

	@Test
	void unknownParameterBehindAPropertyPath() {
		assertFailure(UnknownParameterPath.class, "key: ", "no parameter named 'product'");
	}

	/** Beyond the {@code #name.property} form: SpEL would read a misspelt variable as null on every call. */
	@Test
	void unknownVariableInsideALongerExpression() {
		assertFailure(UnknownVariable.class, "key: ", "no parameter named 'version'", "(parameters: id)");
	}

	@Test
	void emptyName() {
		assertFailure(EmptyName.class, "attribute name: ", "name is empty");
	}

	@Test
	void allEntriesWithAKey() {
		assertFailure(AllEntriesWithKey.class, "name = \"products\" key: ",
				"allEntries = true evicts every entry, so it takes no key", "key = \"#id\"");
	}

	@Test
	void privateMethodCannotBeIntercepted() {
		this.runner.withBean(PrivateMethod.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(CollapseContexts.configurationFailure(context.getStartupFailure()).getMessage())
				.contains("@CollapseEvict on " + PrivateMethod.class.getName() + ".save(Long)")
				.contains("private or final");
		});
	}

	@Test
	void aFluxHasNoSingleSuccessToEvictAfter() {
		assertFailure(FluxWriter.class, "return type Flux", "Mono<Void>");
	}

	@Test
	void aGoodWriterStarts() {
		this.runner.withBean(GoodWriter.class).run((context) -> assertThat(context).hasNotFailed());
	}

	private void assertFailure(Class<?> bean, String... expected) {
		this.runner.withBean(bean).run((context) -> {
			assertThat(context).hasFailed();
			CollapseConfigurationException failure = CollapseContexts.configurationFailure(context.getStartupFailure());
			assertThat(failure.getMessage()).contains("@CollapseEvict on " + bean.getName() + ".save(Long)")
				.contains(expected);
		});
	}

	public static class BadSpel {

		@CollapseEvict(name = "products", key = "#id +")
		public void save(Long id) {
		}

	}

	public static class UnknownParameter {

		@CollapseEvict(name = "products", key = "#product")
		public void save(Long id) {
		}

	}

	public static class UnknownParameterPath {

		@CollapseEvict(name = "products", key = "#product.id")
		public void save(Long id) {
		}

	}

	public static class UnknownVariable {

		@CollapseEvict(name = "products", key = "#id + '-' + #version")
		public void save(Long id) {
		}

	}

	public static class EmptyName {

		@CollapseEvict(name = " ", key = "#id")
		public void save(Long id) {
		}

	}

	public static class AllEntriesWithKey {

		@CollapseEvict(name = "products", key = "#id", allEntries = true)
		public void save(Long id) {
		}

	}

	public static class PrivateMethod {

		public void call() {
			save(1L);
		}

		@CollapseEvict(name = "products", key = "#id")
		private void save(Long id) {
		}

	}

	public static class FluxWriter {

		@CollapseEvict(name = "products", key = "#id")
		public Flux<Long> save(Long id) {
			return Flux.just(id);
		}

	}

	public static class GoodWriter {

		@CollapseEvict(name = "products", key = "#id")
		@CollapseEvict(name = "summaries", allEntries = true)
		public void save(Long id) {
		}

	}

}
