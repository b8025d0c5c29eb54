package dev.collapse.aop;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import dev.collapse.annotation.Collapsed;
import dev.collapse.autoconfigure.CollapseProperties;
import dev.collapse.core.CollapseInstance;
import dev.collapse.core.Herd;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where collapse sits among the proxy's interceptors: by default outside {@code @Transactional},
 * so that followers never open a transaction; {@code collapse.order} moves it.
 */
class InterceptorOrderTest {

	private static final int CALLERS = 20;

	@Test
	void byDefaultFollowersNeverOpenATransactionAndTheLeaderLoadsInsideItsOwn() {
		CollapseContexts.runner().withUserConfiguration(DefaultOrderTransactions.class).run((context) -> {
			assertThat(context.getBean(CollapsedAdvisor.class).getOrder()).isEqualTo(CollapseProperties.DEFAULT_ORDER)
				.isLessThan(Ordered.LOWEST_PRECEDENCE);
			herd(context.getBean(Ledger.class), context.getBean(Probe.class), CollapseContexts.instance(context, "ledger"));
			CountingTransactionManager transactions = context.getBean(CountingTransactionManager.class);
			Probe probe = context.getBean(Probe.class);
			assertThat(probe.loads).hasValue(1);
			assertThat(probe.loadsInATransaction).hasValue(1);
			assertThat(transactions.begun).as("transactions for %d callers", CALLERS).hasValue(1);
			assertThat(transactions.committed).hasValue(1);
		});
	}

	@Test
	void orderPropertyInsideTheTransactionInterceptorMakesEveryCallerOpenOne() {
		transactionsAt100().withPropertyValues("collapse.order=200").run((context) -> {
			assertThat(context.getBean(CollapsedAdvisor.class).getOrder()).isEqualTo(200);
			herd(context.getBean(Ledger.class), context.getBean(Probe.class), CollapseContexts.instance(context, "ledger"));
			assertThat(context.getBean(Probe.class).loads).hasValue(1);
			assertThat(context.getBean(CountingTransactionManager.class).begun).hasValue(CALLERS);
		});
	}

	@Test
	void orderPropertyOutsideTheTransactionInterceptorKeepsOneTransaction() {
		transactionsAt100().withPropertyValues("collapse.order=50").run((context) -> {
			assertThat(context.getBean(CollapsedAdvisor.class).getOrder()).isEqualTo(50);
			herd(context.getBean(Ledger.class), context.getBean(Probe.class), CollapseContexts.instance(context, "ledger"));
			assertThat(context.getBean(Probe.class).loads).hasValue(1);
			assertThat(context.getBean(CountingTransactionManager.class).begun).hasValue(1);
		});
	}

	private static ApplicationContextRunner transactionsAt100() {
		return CollapseContexts.runner().withUserConfiguration(TransactionsAt100.class);
	}

	/** {@value #CALLERS} callers on one key, the load held until all of them wait on it. */
	private static void herd(Ledger ledger, Probe probe, CollapseInstance instance) throws Throwable {
		CountDownLatch loadMayFinish = new CountDownLatch(1);
		probe.duringLoad = () -> Herd.hold(loadMayFinish);
		List<Future<String>> callers = new ArrayList<>();
		try (Herd herd = new Herd(CALLERS)) {
			for (int i = 0; i < CALLERS; i++) {
				callers.add(herd.add(() -> ledger.balance("acct-1")));
			}
			herd.release();
			Herd.awaitFollowers(instance, "acct-1", CALLERS - 1);
			loadMayFinish.countDown();
			for (Future<String> caller : callers) {
				assertThat(Herd.result(caller)).isEqualTo("balance of acct-1");
			}
		}
	}

	@Configuration(proxyBeanMethods = false)
	@EnableTransactionManagement
	@Import(LedgerConfiguration.class)
	static class DefaultOrderTransactions {

	}

	@Configuration(proxyBeanMethods = false)
	@EnableTransactionManagement(order = 100)
	@Import(LedgerConfiguration.class)
	static class TransactionsAt100 {

	}

	@Configuration(proxyBeanMethods = false)
	static class LedgerConfiguration {

		@Bean
		CountingTransactionManager transactionManager() {
			return new CountingTransactionManager();
		}

		@Bean
		Probe probe() {
			return new Probe();
		}

		@Bean
		Ledger ledger(Probe probe) {
			return new Ledger(probe);
		}

	}

	static class Probe {

		final AtomicInteger loads = new AtomicInteger();

		final AtomicInteger loadsInATransaction = new AtomicInteger();

		volatile Runnable duringLoad = () -> {
		};

	}

	static class Ledger {

		private final Probe probe;

		Ledger(Probe probe) {
			this.probe = probe;
		}

		@Transactional
		@Collapsed(name = "ledger", ttl = "0")
		public String balance(String account) {
			this.probe.loads.incrementAndGet();
			if (TransactionSynchronizationManager.isActualTransactionActive()) {
				this.probe.loadsInATransaction.incrementAndGet();
			}
			this.probe.duringLoad.run();
			return "balance of " + account;
		}

	}

	/** Counts transactions; holds no resource. */
	static class CountingTransactionManager extends AbstractPlatformTransactionManager {

		private static final long serialVersionUID = 1L;

		final AtomicInteger begun = new AtomicInteger();

		final AtomicInteger committed = new AtomicInteger();

		@Override
		protected Object doGetTransaction() {
			return new Object();
		}

		@Override
		protected void doBegin(Object transaction, TransactionDefinition definition) {
			this.begun.incrementAndGet();
		}

		@Override
		protected void doCommit(DefaultTransactionStatus status) {
			this.committed.incrementAndGet();
		}

		@Override
		protected void doRollback(DefaultTransactionStatus status) {
		}

	}

}
