package dev.collapse.aop;

import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import dev.collapse.annotation.CollapseEvict;
import dev.collapse.annotation.Collapsed;

/** Prices in a real database, read through {@code @Collapsed} and written in a transaction. */
public class PriceBook {

	private final JdbcTemplate jdbc;

	private final AtomicInteger loads = new AtomicInteger();

	/** Runs in the writer's transaction after the method returned, before commit; {@code null} for none. */
	private volatile @Nullable Runnable beforeCommit;

	public PriceBook(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
		jdbc.execute("CREATE TABLE IF NOT EXISTS prices (id BIGINT PRIMARY KEY, cents BIGINT)");
	}

	@Collapsed(name = "prices", key = "#id", ttl = "1h")
	public Long price(long id) {
		this.loads.incrementAndGet();
		return this.jdbc.queryForObject("SELECT cents FROM prices WHERE id = ?", Long.class, id);
	}

	@Transactional
	@CollapseEvict(name = "prices", key = "#id")
	public void reprice(long id, long cents) {
		this.jdbc.update("MERGE INTO prices KEY (id) VALUES (?, ?)", id, cents);
		Runnable window = this.beforeCommit;
		if (window != null) {
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {

				@Override
				public void beforeCommit(boolean readOnly) {
					window.run();
				}

			});
		}
	}

	public void beforeCommit(@Nullable Runnable window) {
		this.beforeCommit = window;
	}

	public int loads() {
		return this.loads.get();
	}

}
