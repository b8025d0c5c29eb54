package dev.collapse.aop;

import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Defers an eviction to the commit of the transaction of the calling thread. Evicting before
 * commit would let a concurrent reader load the old row and store it for a whole ttl; on
 * rollback nothing changed, so nothing goes (docs/design.md, "Eviction on write"). Loaded only when spring-tx
 * is on the classpath.
 */
final class AfterCommit {

	private AfterCommit() {
	}

	/** @return whether {@code eviction} will run after commit; false when no transaction is active */
	static boolean defer(Runnable eviction) {
		if (!TransactionSynchronizationManager.isSynchronizationActive()) {
			return false;
		}
		TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {

			@Override
			public void afterCommit() {
				eviction.run();
			}

		});
		return true;
	}

}
