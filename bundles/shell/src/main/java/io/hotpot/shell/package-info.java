/** Karaf console commands in scope {@code hot}. */
package io.hotpot.shell;
