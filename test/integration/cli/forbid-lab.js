// Preloaded with `node -r`: loading anything under lab/, or the lab's devDependency bcryptjs,
// fails the process. Commands that do not run the lab must never load it.
const Module = require('node:module');
const path = require('node:path');

const LAB = path.resolve(__dirname, '../../../lab') + path.sep;
const load = Module._load;

Module._load = function guardedLoad(request, parent, isMain) {
  let file = request;
  try {
    file = Module._resolveFilename(request, parent, isMain);
  } catch {
    // Unresolvable: the original loader reports it.
  }
  if (request === 'bcryptjs' || file.startsWith(LAB)) {
    process.stderr.write(`lab loaded: ${file}\n`);
    throw new Error(`lab loaded: ${file}`);
  }
  return load.apply(this, arguments);
};
