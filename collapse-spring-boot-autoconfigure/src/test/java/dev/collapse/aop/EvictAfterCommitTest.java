package dev.collapse.aop;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.embedded.EmbeddedDatabaseBuilder;
import org.springframework.jdbc.datasource.embedded.EmbeddedDatabaseType;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.support.TransactionTemplate;

import dev.collapse.core.Collapser;
import dev.collapse.core.PassThroughCollapser;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Inside a transaction, {@code @CollapseEvict} evicts after commit and not on rollback, under a
 * real transaction manager on an embedded database (docs/design.md, "Eviction on write").
 */
@ExtendWith(OutputCaptureExtension.class)
class EvictAfterCommitTest {

	private final ExecutorService reader = Executors.newSingleThreadExecutor();

	private final ApplicationContextRunner runner = CollapseContexts.runner()
		.withUserConfiguration(Database.class)
		.withBean(PriceBook.class);

	/** With Spring's default order, the transaction interceptor runs inside collapse's. */
	private final ApplicationContextRunner transactionsInside = this.runner
		.withUserConfiguration(TransactionsInside.class);

	@AfterEach
	void stopReader() {
		this.reader.shutdownNow();
	}

	/**
	 * The race after-commit closes: the writer's method has returned, its transaction has not
	 * committed, and a reader on another thread loads the old row and stores it. Evicted at the
	 * method's return, that old row would be served for a whole ttl; evicted after commit, it goes.
	 */
	@Test
	void aReaderInTheWindowBeforeCommitDoesNotKeepTheOldRow() {
		// the transaction outside the interceptor: the method returns to it with the transaction open
		this.runner.withUserConfiguration(TransactionsOutside.class).run((context) -> {
			PriceBook prices = storedAt100(context);
			prices.beforeCommit(() -> assertThat(CompletableFuture.supplyAsync(() -> prices.price(7), this.reader).join())
				.as("the reader in the window sees the committed row").isEqualTo(100L));

			prices.reprice(7, 200);

			assertThat(prices.price(7)).as("after commit").isEqualTo(200L);
			assertThat(prices.loads()).as("loaded again once, after commit").isEqualTo(2);
		});
	}

	/** The caller's transaction holds the method's: the entry goes when the caller commits. */
	@Test
	void inTheCallersTransactionTheEntryGoesWhenItCommits() {
		this.transactionsInside.run((context) -> {
			PriceBook prices = storedAt100(context);
			TransactionTemplate transaction = transaction(context);

			transaction.executeWithoutResult((status) -> {
				prices.reprice(7, 200);
				CompletableFuture<Long> inTheWindow = CompletableFuture.supplyAsync(() -> prices.price(7), this.reader);
				assertThat(inTheWindow.join()).as("not committed: the entry stays").isEqualTo(100L);
			});

			assertThat(prices.price(7)).isEqualTo(200L);
		});
	}

	@Test
	void aRolledBackTransactionEvictsNothing() {
		this.transactionsInside.run((context) -> {
			PriceBook prices = storedAt100(context);
			TransactionTemplate transaction = transaction(context);

			transaction.executeWithoutResult((status) -> {
				prices.reprice(7, 200);
				status.setRollbackOnly();
			});

			assertThat(prices.price(7)).isEqualTo(100L);
			assertThat(prices.loads()).as("nothing changed, nothing evicted").isEqualTo(1);
		});
	}

	/** The row is committed by the time the eviction runs: its failure is logged, never thrown. */
	@Test
	void anEvictionThatFailsAfterCommitDoesNotFailTheWriter(CapturedOutput output) {
		this.transactionsInside.withBean(EvictOperations.class, () -> new EvictOperations(new Unreachable(), getClass().getClassLoader()))
			.run((context) -> {
				PriceBook prices = context.getBean(PriceBook.class);
				TransactionTemplate transaction = transaction(context);

				transaction.executeWithoutResult((status) -> prices.reprice(7, 300));

				assertThat(context.getBean(JdbcTemplate.class).queryForObject("SELECT cents FROM prices WHERE id = 7",
						Long.class)).isEqualTo(300L);
				assertThat(output).contains("@CollapseEvict on " + PriceBook.class.getName() + ".reprice(long, long)")
					.contains("could not be evicted (java.lang.IllegalStateException)").doesNotContain("store down");
			});
	}

	/** The price book with product 7 at 100, read once: stored. */
	private static PriceBook storedAt100(ApplicationContext context) {
		PriceBook prices = context.getBean(PriceBook.class);
		prices.reprice(7, 100);
		assertThat(prices.price(7)).isEqualTo(100L);
		return prices;
	}

	private static TransactionTemplate transaction(ApplicationContext context) {
		return new TransactionTemplate(context.getBean(PlatformTransactionManager.class));
	}

	@Configuration(proxyBeanMethods = false)
	static class Database {

		@Bean(destroyMethod = "shutdown")
		DataSource dataSource() {
			return new EmbeddedDatabaseBuilder().setType(EmbeddedDatabaseType.H2).generateUniqueName(true).build();
		}

		@Bean
		DataSourceTransactionManager transactionManager(DataSource dataSource) {
			return new DataSourceTransactionManager(dataSource);
		}

		@Bean
		JdbcTemplate jdbcTemplate(DataSource dataSource) {
			return new JdbcTemplate(dataSource);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableTransactionManagement
	static class TransactionsInside {

	}

	/** Orders the transaction interceptor before collapse's, which then runs inside the transaction. */
	@Configuration(proxyBeanMethods = false)
	@EnableTransactionManagement(order = 0)
	static class TransactionsOutside {

	}

	/** A Collapser whose store cannot be reached: it loads every time and cannot evict. */
	static final class Unreachable implements Collapser {

		private final PassThroughCollapser loads = new PassThroughCollapser();

		@Override
		public <T extends @Nullable Object> T collapse(String name, Object key, Supplier<T> loader) {
			return this.loads.collapse(name, key, loader);
		}

		@Override
		public <T extends @Nullable Object> CompletableFuture<T> collapseAsync(String name, Object key,
				Supplier<? extends CompletionStage<T>> loader) {
			return this.loads.collapseAsync(name, key, loader);
		}

		@Override
		public void evict(String name, Object key) {
			throw new IllegalStateException("store down");
		}

		@Override
		public void evictAll(String name) {
			throw new IllegalStateException("store down");
		}

	}

}
