package dev.collapse.schedule;

import java.lang.reflect.UndeclaredThrowableException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;
import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.util.function.SingletonSupplier;

import dev.collapse.schedule.FireTime.Fire;

/**
 * Runs the fires of {@code @OncePerFleet} and {@code @Spread} methods: a spread start is handed to
 * the task scheduler for a later time, holding no thread; a once-per-fleet fire goes through its
 * job. A call that is not a scheduled fire of the method itself (a direct call, also one made by
 * another scheduled job) runs as it is.
 */
public final class ScheduleInterceptor implements MethodInterceptor {

	private final SingletonSupplier<ScheduleOperations> operations;

	public ScheduleInterceptor(Supplier<ScheduleOperations> operations) {
		this.operations = SingletonSupplier.of(operations);
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		Fire fire = FireTime.current();
		if (fire == null || !fire.isFor(invocation.getMethod())) {
			// not a fire, or a call made by another scheduled method: a plain call
			return invocation.proceed();
		}
		Object target = invocation.getThis();
		Class<?> targetClass = (target != null) ? target.getClass() : invocation.getMethod().getDeclaringClass();
		ScheduleOperations.Operation operation = this.operations.obtain().get(invocation.getMethod(), targetClass);
		if (operation == null) {
			return invocation.proceed();
		}
		if (operation.spread() != null) {
			MethodInvocation copy = (invocation instanceof ProxyMethodInvocation proxy) ? proxy.invocableClone()
					: invocation;
			Runnable run = () -> FireTime.run(fire, () -> runNow(operation, fire, copy));
			fire.scheduler().schedule(fire.onItsScheduler(run), start(fire.nominal(), operation.spread()));
			return null;
		}
		runNow(operation, fire, invocation);
		return null;
	}

	/** The start of a spread run: its fire time plus a delay uniform in {@code [0, spread]}. */
	static Instant start(Instant nominal, Duration spread) {
		return nominal.plusNanos(ThreadLocalRandom.current().nextLong(spread.toNanos() + 1));
	}

	private static void runNow(ScheduleOperations.Operation operation, Fire fire, MethodInvocation invocation) {
		try {
			if (operation.job() != null) {
				operation.job().fire(fire.nominal(), invocation);
			}
			else {
				OncePerFleetJob.proceed(invocation);
			}
		}
		catch (RuntimeException | Error ex) {
			throw ex;
		}
		catch (Throwable ex) {
			throw new UndeclaredThrowableException(ex);
		}
	}

}
