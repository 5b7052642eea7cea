// Preloaded with `node -r`: loading a package named in HARBOR_DR_FORBID (comma-separated
// names or `@scope/` prefixes) fails the process. A command must not load what it never uses.
const Module = require('node:module');

const forbidden = (process.env.HARBOR_DR_FORBID ?? '')
  .split(',')
  .filter(Boolean);
const load = Module._load;

Module._load = function guardedLoad(request) {
  if (
    forbidden.some((f) =>
      f.endsWith('/')
        ? request.startsWith(f)
        : request === f || request.startsWith(`${f}/`)
    )
  ) {
    process.stderr.write(`forbidden module loaded: ${request}\n`);
    throw new Error(`forbidden module loaded: ${request}`);
  }
  return load.apply(this, arguments);
};
