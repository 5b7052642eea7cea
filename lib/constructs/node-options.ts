/**
 * The young generation's bound, in MiB per semi-space: the same as `harbor-dr`'s (its bin's
 * shebang). V8 sizes it from the memory it sees; a 100,000-tag audit peaked at 305 MiB of RSS
 * with V8's sizing on a 24 GB machine, 289 MiB with 51 MiB semi-spaces and 225 MiB with 16,
 * for 7% more CPU (README "Benchmark").
 */
export const SEMI_SPACE_MIB = 16;

/**
 * NODE_OPTIONS of a function of `memoryMiB`: source maps in stack traces, and V8's heap bounds.
 * Lambda's Node.js runtime sizes the heap from the function's memory unless NODE_OPTIONS names
 * a semi-space or an old-space size, and then it sets neither: both are set here, the old
 * space leaving room for what is not heap (code, buffers, the runtime itself).
 */
export function lambdaNodeOptions(memoryMiB: number): string {
  const young = 3 * SEMI_SPACE_MIB;
  const oldSpace = Math.max(64, Math.floor(memoryMiB * 0.85) - young);
  return `--enable-source-maps --max-semi-space-size=${SEMI_SPACE_MIB.toString()} --max-old-space-size=${oldSpace.toString()}`;
}
