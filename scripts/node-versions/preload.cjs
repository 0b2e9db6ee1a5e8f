// Loaded with `node --require` (through NODE_OPTIONS, so Jest's workers and
// every child process get it too) when Fleetdeck runs on a Node release other
// than the one node_modules was installed with: a native addon compiled for
// this release (scripts/node-versions.sh puts them in FLEETDECK_NATIVE_DIR)
// is loaded in place of the installed one, which this Node cannot load.
const Module = require('node:module');
const { existsSync } = require('node:fs');
const { basename, join } = require('node:path');

const dir = process.env.FLEETDECK_NATIVE_DIR;
if (dir) {
  const load = Module._extensions['.node'];
  Module._extensions['.node'] = function loadNative(module, filename) {
    const own = join(dir, basename(filename));
    return load.call(this, module, existsSync(own) ? own : filename);
  };
}
