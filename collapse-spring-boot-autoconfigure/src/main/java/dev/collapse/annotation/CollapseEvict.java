package dev.collapse.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Drops stored results of a {@code @Collapsed} instance when the annotated method changes the data
 * behind them: the write side of {@link Collapsed}, as {@code @CacheEvict} is of {@code @Cacheable}.
 *
 * <pre>{@code
 * @Transactional
 * @CollapseEvict(name = "products", key = "#product.id")
 * public void update(Product product) { ... }
 * }</pre>
 *
 * <p><b>When.</b> By default the entry goes after the method returns normally (for a
 * {@code CompletionStage} or a Reactor {@code Mono}: once it completes successfully), and not at
 * all when it throws. Inside a Spring transaction it goes <em>after commit</em>, and not at all on
 * rollback: evicted before commit, a concurrent reader would load the old row again and store it
 * for a whole ttl. With {@link #beforeInvocation()} the entry goes before the method runs, whatever
 * it then does.
 *
 * <p><b>Keys.</b> {@link #key()} is made exactly as {@link Collapsed#key()} makes its key, so
 * {@code #product.id} here meets {@code #id} on the reader when the values are equal. The entry
 * goes in this JVM and, with Redis on, in Redis, even on a node that never read the name.
 *
 * <p>A failure to evict (Redis down) is logged and never fails the method: the entry then
 * expires by its ttl. Repeat the annotation to evict from several instances. Put it on a public
 * method of a Spring bean called through its proxy; a bad attribute stops the application at
 * startup with a message that names the method.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Repeatable(CollapseEvict.List.class)
public @interface CollapseEvict {

	/** The instance whose entries go: the {@link Collapsed#name()} of the reading method. */
	String name();

	/**
	 * SpEL expression over the arguments that gives the key, as in {@link Collapsed#key()}
	 * ({@code #product.id}, {@code #p0}, {@code #root.args}). Defaults to all the arguments, as
	 * {@code @Collapsed} does. Evaluated once the method has returned (before it runs with
	 * {@link #beforeInvocation()}), so an id the method assigns is seen. Must be empty with
	 * {@link #allEntries()}.
	 */
	String key() default "";

	/**
	 * Whether every entry of the instance goes, instead of the entry of one key; with Redis on,
	 * across the fleet.
	 */
	boolean allEntries() default false;

	/**
	 * Whether to evict before the method runs, so also when it throws. Inside a transaction
	 * the entry then goes before commit, and a concurrent reader may store the old value again.
	 */
	boolean beforeInvocation() default false;

	/** Several {@link CollapseEvict} on one method; written for you when the annotation is repeated. */
	@Target(ElementType.METHOD)
	@Retention(RetentionPolicy.RUNTIME)
	@Documented
	@interface List {

		/** The evictions, in the order they are declared. */
		CollapseEvict[] value();

	}

}
