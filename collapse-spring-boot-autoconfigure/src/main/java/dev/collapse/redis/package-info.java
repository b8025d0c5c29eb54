/**
 * Fleet-wide collapsing through Redis: leases, fenced completion, the Pub/Sub completion channel
 * and the entries shared by every node, behind the core's distributed-layer interface.
 */
@NullMarked
package dev.collapse.redis;

import org.jspecify.annotations.NullMarked;
