#!/usr/bin/env node
import { main } from './cli'

// Everything else lives in cli.ts, which the tests run in-process; this file only wires it to the process.
// exitCode rather than process.exit(), so that the line written to stdout is flushed first.
main(process.argv.slice(2), process).then(code => { process.exitCode = code })
