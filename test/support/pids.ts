/** PIDs of the nslab processes this test process started: temp files they leave are the test's own. */
export const ourPids = new Set<number>();
