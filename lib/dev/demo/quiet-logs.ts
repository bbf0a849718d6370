// Imported first by the demo: the handlers' Powertools logger reads its level when lib/edge/lambda.ts is loaded, and
// the demo prints what happened itself, so only warnings and errors (which it should show) reach the terminal.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
