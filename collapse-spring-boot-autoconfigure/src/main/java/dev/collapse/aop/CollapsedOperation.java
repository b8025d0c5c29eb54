package dev.collapse.aop;

import org.aopalliance.intercept.MethodInvocation;

import dev.collapse.core.CollapseInstance;

/** Everything resolved once for one annotated method: its instance, key and return adapter. */
final class CollapsedOperation {

	private final CollapseInstance instance;

	private final KeyFunction key;

	private final ReturnAdapter adapter;

	CollapsedOperation(CollapseInstance instance, KeyFunction key, ReturnAdapter adapter) {
		this.instance = instance;
		this.key = key;
		this.adapter = adapter;
	}

	Object invoke(MethodInvocation invocation) throws Throwable {
		Object key = this.key.key(invocation.getThis(), invocation.getArguments());
		return this.adapter.invoke(this.instance, key, invocation);
	}

	CollapseInstance instance() {
		return this.instance;
	}

}
