// @ts-check
// The operator console (being built: the queue, a case with its whole context, live updates).
export {};
