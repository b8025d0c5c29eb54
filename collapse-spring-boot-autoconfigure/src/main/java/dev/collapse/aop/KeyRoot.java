package dev.collapse.aop;

import java.lang.reflect.Method;

import org.jspecify.annotations.Nullable;

/** Root object of key expressions: {@code #root.args}, {@code #root.methodName} and so on. */
public final class KeyRoot {

	private final Method method;

	private final @Nullable Object[] args;

	private final @Nullable Object target;

	private final Class<?> targetClass;

	KeyRoot(Method method, @Nullable Object[] args, @Nullable Object target, Class<?> targetClass) {
		this.method = method;
		this.args = args;
		this.target = target;
		this.targetClass = targetClass;
	}

	public Method getMethod() {
		return this.method;
	}

	public String getMethodName() {
		return this.method.getName();
	}

	public @Nullable Object[] getArgs() {
		return this.args;
	}

	/** The bean called, or {@code null} when the invocation has none. */
	public @Nullable Object getTarget() {
		return this.target;
	}

	public Class<?> getTargetClass() {
		return this.targetClass;
	}

}
