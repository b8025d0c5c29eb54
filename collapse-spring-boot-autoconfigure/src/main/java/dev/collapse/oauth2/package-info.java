/**
 * Client-credentials tokens of Spring Security's OAuth2 client fetched once per registration at a
 * time (in the fleet when tokens are shared), renewed ahead of their expiry at a random point of
 * a window, and never served past it; for the blocking and the reactive client alike (the reactive
 * provider is loaded only with Reactor and spring-webflux).
 */
@NullMarked
package dev.collapse.oauth2;

import org.jspecify.annotations.NullMarked;
