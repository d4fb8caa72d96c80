// Preloaded into a CLI run (NODE_OPTIONS=--require): on exit, writes the packages the process
// loaded to FIELDWORK_TEST_LOADED, so a test can see what a command started.
const { writeFileSync } = require('node:fs');

process.on('exit', () => {
  const packages = new Set();
  for (const file of Object.keys(require.cache)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file);
    if (match) packages.add(match[1]);
  }
  writeFileSync(process.env.FIELDWORK_TEST_LOADED, [...packages].sort().join('\n'));
});
