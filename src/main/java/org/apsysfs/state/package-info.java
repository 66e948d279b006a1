/**
 * The simulator's saved state (docs/state-format.md): dumping the whole simulated system to
 * one JSON document, restoring it by booting a fresh system and replaying the stores a user
 * would write, the {@code --state FILE} that keeps it across restarts, and
 * {@link org.apsysfs.state.Simulation}, the system a mount serves, which a state load replaces
 * as a whole.
 *
 * <p>No kernel counterpart. Locks: {@code state_mutex} of {@code Simulation}, outermost and never held across a store (see
 * {@link org.apsysfs.locking}). May use the model packages and {@code sysfs}; only
 * {@code cli} uses it.
 */
package org.apsysfs.state;
