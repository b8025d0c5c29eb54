package dev.collapse.redis;

/** A value as an application would cache it. */
public record Product(long id, String name) {
}
