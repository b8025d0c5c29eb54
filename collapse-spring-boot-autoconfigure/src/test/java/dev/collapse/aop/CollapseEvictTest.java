package dev.collapse.aop;

import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import reactor.core.publisher.Mono;

import dev.collapse.aop.Catalogue.Product;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * {@code @CollapseEvict} through real proxies: the writer's key meets the reader's, and the entry
 * goes after a normal return (or before the call, when asked), never after a failure.
 */
class CollapseEvictTest {

	private final ApplicationContextRunner runner = CollapseContexts.runner().withBean(Catalogue.class);

	@Test
	void writerKeyedOnAPropertyEvictsWhatTheReaderKeyedOnTheIdStored() {
		this.runner.run((context) -> {
			Catalogue catalogue = context.getBean(Catalogue.class);
			catalogue.rows().put(7L, "old");
			assertThat(catalogue.find(7)).isEqualTo("old");
			assertThat(catalogue.find(7)).as("stored").isEqualTo("old");

			catalogue.update(new Product(7, "new"));

			assertThat(catalogue.find(7)).isEqualTo("new");
			assertThat(catalogue.loads()).as("loaded again once, after the update").isEqualTo(2);
		});
	}

	@Test
	void otherKeysStay() {
		this.runner.run((context) -> {
			Catalogue catalogue = context.getBean(Catalogue.class);
			catalogue.find(7);
			catalogue.find(8);
			catalogue.update(new Product(7, "new"));
			catalogue.find(8);
			assertThat(catalogue.loads()).as("8 still stored").isEqualTo(2);
		});
	}

	@Test
	void allEntriesEvictsEveryKeyOfTheInstanceOnly() {
		this.runner.run((context) -> {
			Catalogue catalogue = context.getBean(Catalogue.class);
			catalogue.rows().put(7L, "a");
			catalogue.rows().put(8L, "b");
			catalogue.find(7);
			catalogue.find(8);
			catalogue.byName("a");

			catalogue.renameAll("!");

			assertThat(catalogue.find(7)).isEqualTo("a!");
			assertThat(catalogue.find(8)).isEqualTo("b!");
			assertThat(catalogue.loads()).isEqualTo(4);
			catalogue.byName("a");
			assertThat(catalogue.nameLoads()).as("another instance is left alone").isEqualTo(1);
		});
	}

	@Test
	void repeatedAnnotationsEvictFromEachInstance() {
		this.runner.run((context) -> {
			Catalogue catalogue = context.getBean(Catalogue.class);
			catalogue.rows().put(7L, "old");
			catalogue.find(7);
			assertThat(catalogue.byName("old")).isEqualTo(7L);

			catalogue.rename(new Product(7, "new"), "old");

			assertThat(catalogue.find(7)).isEqualTo("new");
			assertThat(catalogue.byName("old")).isEqualTo(-1L);
			assertThat(catalogue.loads()).isEqualTo(2);
			assertThat(catalogue.nameLoads()).isEqualTo(2);
		});
	}

	@Test
	void aMethodThatThrowsEvictsNothing() {
		this.runner.run((context) -> {
			Catalogue catalogue = context.getBean(Catalogue.class);
			catalogue.rows().put(7L, "old");
			catalogue.find(7);

			assertThatIllegalStateException().isThrownBy(() -> catalogue.failingUpdate(7));

			assertThat(catalogue.find(7)).as("still the stored value").isEqualTo("old");
			assertThat(catalogue.loads()).isEqualTo(1);
		});
	}

	@Test
	void beforeInvocationEvictsEvenWhenTheMethodThenThrows() {
		this.runner.run((context) -> {
			Catalogue catalogue = context.getBean(Catalogue.class);
			catalogue.find(7);

			assertThatIllegalStateException().isThrownBy(() -> catalogue.failingUpdateEvictingFirst(7));

			catalogue.find(7);
			assertThat(catalogue.loads()).as("evicted before the call failed").isEqualTo(2);
		});
	}

	@Test
	void aFutureEvictsWhenItSucceedsAndBeforeItsCallerSeesIt() {
		this.runner.run((context) -> {
			Catalogue catalogue = context.getBean(Catalogue.class);
			catalogue.rows().put(7L, "old");
			catalogue.find(7);

			CompletableFuture<Void> update = catalogue.updateLater(new Product(7, "new"));
			assertThat(catalogue.find(7)).as("not done yet: the entry stays").isEqualTo("old");
			// what the caller chains on the returned future reads after the eviction
			CompletableFuture<String> readAfter = update.thenApply((done) -> catalogue.find(7));
			catalogue.pending().complete(null);

			assertThat(readAfter.join()).isEqualTo("new");
			assertThat(catalogue.loads()).isEqualTo(2);
		});
	}

	@Test
	void aFailedFutureEvictsNothing() {
		this.runner.run((context) -> {
			Catalogue catalogue = context.getBean(Catalogue.class);
			catalogue.rows().put(7L, "old");
			catalogue.find(7);

			CompletableFuture<Void> update = catalogue.updateLater(new Product(7, "new"));
			catalogue.pending().completeExceptionally(new IllegalStateException("write failed"));

			assertThat(update).isCompletedExceptionally();
			assertThat(catalogue.find(7)).isEqualTo("old");
			assertThat(catalogue.loads()).isEqualTo(1);
		});
	}

	@Test
	void aMonoEvictsWhenItSucceedsNotWhenItIsMerelyReturned() {
		this.runner.run((context) -> {
			Catalogue catalogue = context.getBean(Catalogue.class);
			catalogue.rows().put(7L, "old");
			catalogue.find(7);
			catalogue.pending(CompletableFuture.completedFuture(null));

			Mono<Void> update = catalogue.updateReactively(new Product(7, "new"));
			assertThat(catalogue.rows()).containsEntry(7L, "old");
			assertThat(catalogue.find(7)).as("nothing ran before the subscription").isEqualTo("old");

			update.block();

			assertThat(catalogue.find(7)).isEqualTo("new");
			assertThat(catalogue.loads()).isEqualTo(2);
		});
	}

	@Test
	void aFailedMonoEvictsNothing() {
		this.runner.run((context) -> {
			Catalogue catalogue = context.getBean(Catalogue.class);
			catalogue.rows().put(7L, "old");
			catalogue.find(7);
			catalogue.pending(CompletableFuture.failedFuture(new IllegalStateException("write failed")));

			assertThatIllegalStateException()
				.isThrownBy(() -> catalogue.updateReactively(new Product(7, "new")).block());

			assertThat(catalogue.find(7)).isEqualTo("old");
			assertThat(catalogue.loads()).isEqualTo(1);
		});
	}

}
