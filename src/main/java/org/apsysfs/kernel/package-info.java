/**
 * Kernel library code every subsystem uses: the errno vocabulary
 * ({@link org.apsysfs.kernel.Errno}, {@link org.apsysfs.kernel.KernelException}), the number
 * and boolean parsers of {@code lib/kstrtox.c} ({@link org.apsysfs.kernel.Kstrtox}), UUID
 * checks of {@code lib/uuid.c}, the kernel log ring buffer ({@code dmesg}), the uevent record
 * and the clock.
 *
 * <p>No locks of its own beyond the internal monitors of the log and the uevent list. Uses no
 * other package of the project.
 */
package org.apsysfs.kernel;
