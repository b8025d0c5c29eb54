package dev.collapse.actuate;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

import dev.collapse.actuate.CollapseEndpoint.EvictionDescriptor;

/**
 * HTTP statuses for the {@code collapse} endpoint: an eviction of an instance this JVM does not
 * have answers 404, so that a mistyped name in a script fails instead of reporting success. Over
 * JMX the same answer is the body's {@code known=false}.
 */
@EndpointWebExtension(endpoint = CollapseEndpoint.class)
public class CollapseEndpointWebExtension {

	private final CollapseEndpoint endpoint;

	public CollapseEndpointWebExtension(CollapseEndpoint endpoint) {
		this.endpoint = endpoint;
	}

	/** {@link CollapseEndpoint#evict}, with 404 where the instance is unknown. */
	@DeleteOperation
	public WebEndpointResponse<EvictionDescriptor> evict(@Selector String name, @Nullable String key) {
		EvictionDescriptor eviction = this.endpoint.evict(name, key);
		return new WebEndpointResponse<>(eviction,
				eviction.known() ? WebEndpointResponse.STATUS_OK : WebEndpointResponse.STATUS_NOT_FOUND);
	}

}
