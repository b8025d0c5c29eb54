package dev.collapse.security;

/** A value as an application would cache it: a version and a text. */
public record Secret(long version, String text) {
}
