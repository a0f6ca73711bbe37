// reward plugin package (placeholder until built).
export {};
