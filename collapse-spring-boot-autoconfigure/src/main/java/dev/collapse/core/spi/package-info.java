/**
 * The seam between the core and the fleet layer (Redis): what that layer implements so that the
 * core can collapse a key across nodes. For the fleet layer only, not for applications: an
 * application uses {@link dev.collapse.core.Collapser} or {@code @Collapsed}, and these types may
 * change with the core that calls them.
 */
@NullMarked
package dev.collapse.core.spi;

import org.jspecify.annotations.NullMarked;
