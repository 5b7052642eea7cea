// jest globalSetup: the tests run on Node.js 24, the runtime the Lambdas ship on (nodejs24.x).
// `npm ci` installs it as the `node` devDependency, and every npm script (npm test, npm run jest,
// npx jest) finds it first on the PATH. Started any other way, or when npm skipped the `node`
// package's install script, jest would silently run on the machine's Node: fail loudly instead.
const MIN_MAJOR = 24;

module.exports = function requireNode24() {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < MIN_MAJOR) {
    throw new Error(
      `The tests run on Node.js >= ${String(MIN_MAJOR)}, but jest runs on ${process.version} (${process.execPath}). ` +
        'Start them through npm (npm test, npm run jest or npx jest) after `npm ci`, which puts ' +
        'node_modules/.bin/node (the `node` devDependency) first on the PATH; if ' +
        'node_modules/node/bin/node is missing, npm skipped its install script: check ' +
        '"allowScripts" in package.json and run `npm ci` again.'
    );
  }
};
