import type { AdminRuntime } from '../main.ts';

/** Runs one admin action on a short-lived runtime and prints what it returns (`withRuntime` of cli/main.ts). */
export type Run = (fn: (rt: AdminRuntime) => Promise<{ json: unknown; text: string }>) => Promise<void>;
