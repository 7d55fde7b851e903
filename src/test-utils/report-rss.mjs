// Preload (node --import) that reports the process's peak resident memory at exit, for memory tests.
process.on('exit', () => process.stderr.write(`maxrss-kb ${process.resourceUsage().maxRSS}\n`));
