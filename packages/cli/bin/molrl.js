#!/usr/bin/env -S node --no-node-snapshot --disable-warning=ExperimentalWarning
// The molrl command. --no-node-snapshot is required by isolated-vm on Node >= 20.
import { main } from '../dist/main.js';

main(process.argv).then((code) => {
  process.exitCode = code;
});
